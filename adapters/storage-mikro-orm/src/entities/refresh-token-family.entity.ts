import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * One grant's chain of rotated refresh tokens: replaying a used token revokes the whole family
 * (OAuth 2.0 Security BCP §4.14). An `offline_access` family outlives its browser session, hence
 * `set null` rather than cascade on the session.
 */
export const RefreshTokenFamilyEntity = defineEntity({
  name: 'RefreshTokenFamily',
  tableName: 'refresh_token_families',
  properties: {
    id: uuidPk(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    sessionId: () =>
      p.manyToOne(SessionEntity).mapToPk().nullable().joinColumn('session_id').deleteRule('set null').index(),
    scope: p.text(),
    authTime: p.datetime(),
    amr: p.json<string[]>(),
    /** The grant's `claims` request (OIDC Core §5.5), from its authorization code. */
    claims: p.json<Record<string, unknown>>().nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
    /**
     * When the session it was granted in ended: its access tokens issued until then are revoked, while
     * an `offline_access` family itself lives on (token-lookup.ts).
     */
    accessRevokedAt: p.datetime().nullable(),
  },
});
