import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * Access tokens are JWTs; this row exists so introspection (RFC 7662) and revocation (RFC 7009)
 * can answer for one before it expires. `userId` is null for `client_credentials`.
 */
export const AccessTokenEntity = defineEntity({
  name: 'AccessToken',
  tableName: 'access_tokens',
  properties: {
    jti: p.string().primary(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    userId: () =>
      p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('cascade').index(),
    familyId: () =>
      p
        .manyToOne(RefreshTokenFamilyEntity)
        .mapToPk()
        .nullable()
        .joinColumn('family_id')
        .deleteRule('cascade')
        .index(),
    sessionId: () =>
      p.manyToOne(SessionEntity).mapToPk().nullable().joinColumn('session_id').deleteRule('set null').index(),
    scope: p.text(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
  },
});
