import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * RFC 6749 §4.1.2: a code is single use; a second redemption revokes what the first one issued,
 * which is why a redeemed code remembers its refresh-token family.
 */
export const AuthorizationCodeEntity = defineEntity({
  name: 'AuthorizationCode',
  tableName: 'authorization_codes',
  properties: {
    codeHash: p.string().primary(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    sessionId: () =>
      p.manyToOne(SessionEntity).mapToPk().nullable().joinColumn('session_id').deleteRule('cascade').index(),
    redirectUri: p.text(),
    scope: p.text(),
    nonce: p.text().nullable(),
    codeChallenge: p.string().nullable(),
    codeChallengeMethod: p.string().length(16).nullable(),
    authTime: p.datetime(),
    amr: p.json<string[]>(),
    /** The `claims` request parameter (OIDC Core §5.5), parsed. */
    claims: p.json<Record<string, unknown>>().nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
    redeemedAt: p.datetime().nullable(),
    familyId: () =>
      p
        .manyToOne(RefreshTokenFamilyEntity)
        .mapToPk()
        .nullable()
        .joinColumn('family_id')
        .deleteRule('set null')
        .index(),
  },
});
