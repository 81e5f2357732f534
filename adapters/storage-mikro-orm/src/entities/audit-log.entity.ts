import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';

/**
 * Events keep Pocket ID's names (`SIGN_IN`, `TOKEN_SIGN_IN`, …). Deleting a user keeps their entries
 * (`set null`): the retention job, not a deletion, ends an audit trail.
 */
export const AuditLogEntity = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_logs',
  properties: {
    id: uuidPk(),
    event: p.string().length(64),
    ipAddress: p.string().length(45).nullable(),
    userAgent: p.text().nullable(),
    country: p.string().nullable(),
    city: p.string().nullable(),
    data: p.json<Record<string, string>>(),
    userId: () => p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('set null'),
    createdAt: createdAt().index(),
  },
  indexes: [{ name: 'audit_logs_user_id_created_at_index', properties: ['userId', 'createdAt'] }],
});
