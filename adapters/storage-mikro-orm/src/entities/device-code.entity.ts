import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * RFC 8628 device authorization. Approval records who approved and how they signed in, so the
 * token endpoint can issue tokens after that browser session has ended.
 */
export const DeviceCodeEntity = defineEntity({
  name: 'DeviceCode',
  tableName: 'device_codes',
  properties: {
    deviceCodeHash: p.string().primary(),
    userCode: p.string().length(16).unique(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    scope: p.text(),
    userId: () =>
      p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('cascade').index(),
    sessionId: () =>
      p.manyToOne(SessionEntity).mapToPk().nullable().joinColumn('session_id').deleteRule('set null').index(),
    /**
     * `pending`, `approved` or `denied`. A plain string, not `p.enum`: MikroORM 6.6 misreads a SQLite
     * enum CHECK of three or more items and would rebuild the table in every migration.
     */
    status: p.string().length(16).$type<'pending' | 'approved' | 'denied'>().default('pending'),
    /** Seconds between polls (RFC 8628 §3.5), raised on `slow_down`. Not `interval`: a reserved word in PostgreSQL. */
    pollInterval: p.integer(),
    lastPolledAt: p.datetime().nullable(),
    authTime: p.datetime().nullable(),
    amr: p.json<string[]>().nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
