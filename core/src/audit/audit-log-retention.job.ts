import type { JobDefinition } from '../kernel/job-scheduler.js';
import type { AuditService } from './audit.service.js';

export const AUDIT_LOG_RETENTION_JOB_ID = 'audit-logs.retention';

/** Pocket ID purges entries older than AUDIT_LOG_RETENTION_DAYS daily; once per cluster here too. */
export function auditLogRetentionJob(audit: AuditService, retentionDays: number): JobDefinition {
  return {
    id: AUDIT_LOG_RETENTION_JOB_ID,
    every: '1d',
    singleton: true,
    // soon after start, so an instance that restarts daily still purges
    firstRunAfter: '1m',
    run: async () => {
      await audit.prune(retentionDays);
    },
  };
}
