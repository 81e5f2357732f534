import type { AuditLogEntry, NewAuditLogEntry } from './audit-log.js';

/** Which entries a list returns; every filter given narrows the list (`IN` within one filter). */
export interface AuditLogFilter {
  /** Only this user's entries (`GET /api/audit-logs`). */
  ownerId?: string;
  events?: string[];
  userIds?: string[];
  /** `data.clientName` */
  clientNames?: string[];
  /** `internal`: country is `Internal Network`; `external`: anything else, unknown included. */
  locations?: ('internal' | 'external')[];
}

export type AuditLogSortColumn = 'event' | 'ipAddress' | 'country' | 'city' | 'userAgent' | 'createdAt';

export interface AuditLogListOptions {
  /** Newest first when absent. */
  sort?: { column: AuditLogSortColumn; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

/** An entry with its user's current username, when the user still exists. */
export interface AuditLogEntryWithUser extends AuditLogEntry {
  username: string | null;
}

export interface AuditLogRepository {
  insert(entry: NewAuditLogEntry): Promise<AuditLogEntry>;
  count(filter: AuditLogFilter): Promise<number>;
  list(filter: AuditLogFilter, options: AuditLogListOptions): Promise<AuditLogEntryWithUser[]>;
  /** Distinct non-empty `data.clientName` values, sorted. */
  clientNames(): Promise<string[]>;
  /** The users that have entries: id → username. */
  users(): Promise<Record<string, string>>;
  /** Deletes entries created strictly before `before`; returns how many. */
  deleteOlderThan(before: Date): Promise<number>;
}
