import { hashToken } from '../../sessions/session.service.js';
import type { AccessTokenRecord, AccessTokenRepository } from './access-token.repository.port.js';
import { ACCESS_TOKEN_TYP, CLIENT_CREDENTIALS_GTY, familyOfJti } from './oidc-tokens.js';
import type {
  RefreshToken,
  RefreshTokenFamily,
  RefreshTokenRepository,
} from './refresh-token.repository.port.js';

/** What checking one of our JWTs needs from the signing-key service. */
export interface JwtVerifier {
  verify(
    jwt: string,
    options: { issuer: string; typ: string },
  ): Promise<{ payload: Record<string, unknown> }>;
}

export type FoundToken =
  | { type: 'access_token'; record: AccessTokenRecord; payload: Record<string, unknown> }
  | { type: 'refresh_token'; token: RefreshToken; family: RefreshTokenFamily };

/** Where an access token's record, or what stands for it, is found (`accessTokenRecord`). */
export interface AccessTokenRecordSources {
  accessTokens: Pick<AccessTokenRepository, 'find'>;
  refreshTokens: Pick<RefreshTokenRepository, 'findFamily'>;
}

export interface TokenLookupDeps extends AccessTokenRecordSources {
  verifier: JwtVerifier;
  refreshTokens: Pick<RefreshTokenRepository, 'find' | 'findFamily'>;
}

/**
 * Finds one of our tokens from its presented value, for introspection (RFC 7662) and revocation
 * (RFC 7009). An access token must be a JWT we signed, still within its lifetime, whose `jti` has a
 * record; a refresh token is looked up by its SHA-256. `token_type_hint` only orders the search: a
 * wrong or unknown hint still finds the token (RFC 7009 §2.1, RFC 7662 §2.1).
 */
export class TokenLookup {
  constructor(private readonly deps: TokenLookupDeps) {}

  async find(token: string, issuer: string, hint?: string): Promise<FoundToken | null> {
    const access = () => this.findAccessToken(token, issuer);
    const refresh = () => this.findRefreshToken(token);
    for (const attempt of hint === 'refresh_token' ? [refresh, access] : [access, refresh]) {
      const found = await attempt();
      if (found) return found;
    }
    return null;
  }

  async findAccessToken(token: string, issuer: string): Promise<FoundToken | null> {
    // Our refresh tokens are base64url without dots: skip the signature check for them.
    if (token.split('.').length !== 3) return null;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await this.deps.verifier.verify(token, { issuer, typ: ACCESS_TOKEN_TYP }));
    } catch {
      return null;
    }
    const record = await accessTokenRecord(this.deps, payload);
    return record ? { type: 'access_token', record, payload } : null;
  }

  async findRefreshToken(token: string): Promise<FoundToken | null> {
    const found = await this.deps.refreshTokens.find(hashToken(token));
    return found ? { type: 'refresh_token', ...found } : null;
  }
}

/**
 * The record of a verified access token's payload, or null when the token is unknown.
 *
 * Departure from "record every token": recording each issued token was the largest cost of the token
 * endpoint (an SQLite commit touching seven B-trees), so only tokens that nothing else vouches for
 * are recorded when issued. A stored record always wins: RFC 7009 revocation writes one (revoked) for
 * any token (`AccessTokenRepository.revoke`), and tokens issued before this change have theirs.
 * Without one:
 * - a token of a refresh-token family (its `jti` names the family, oidc-tokens.ts) is described by
 *   the family: revoked when the family was, or when the session it was granted in ended at or after
 *   the token's `iat` (`accessRevokedAt`); gone with the family (its client or user deleted);
 * - a `client_credentials` token (`gty`) has no user, grant or session that could be revoked, so its
 *   signed payload is all there is to describe.
 */
export async function accessTokenRecord(
  sources: AccessTokenRecordSources,
  payload: Record<string, unknown>,
): Promise<AccessTokenRecord | null> {
  const { jti, client_id: clientId, iat, exp, sub } = payload;
  if (typeof jti !== 'string') return null;
  const record = await sources.accessTokens.find(jti);
  if (record) return record;
  if (typeof clientId !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return null;
  const described = {
    jti,
    clientId,
    scope: typeof payload.scope === 'string' ? payload.scope : '',
    createdAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
  const familyId = familyOfJti(jti);
  if (familyId) {
    const family = await sources.refreshTokens.findFamily(familyId);
    if (!family || family.clientId !== clientId || family.userId !== sub) return null;
    const sessionEnded =
      family.accessRevokedAt && family.accessRevokedAt.getTime() >= iat * 1000
        ? family.accessRevokedAt
        : null;
    return {
      ...described,
      userId: family.userId,
      familyId,
      sessionId: family.sessionId,
      revokedAt: family.revokedAt ?? sessionEnded,
      claims: family.claims,
    };
  }
  if (payload.gty !== CLIENT_CREDENTIALS_GTY) return null;
  return { ...described, userId: null, familyId: null, sessionId: null, revokedAt: null, claims: null };
}
