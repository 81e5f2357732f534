import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';

/** A browser session. The cookie carries a random token; only its SHA-256 is stored. */
export const SessionEntity = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: uuidPk(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    tokenHash: p.string().unique(),
    /** RFC 8176 methods, e.g. `["phr"]` for a passkey, `["otp"]` for a login code. */
    amr: p.json<string[]>(),
    authTime: p.datetime(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
    lastSeenAt: p.datetime().nullable(),
    ip: p.string().length(45).nullable(),
    userAgent: p.text().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
