import { hashToken } from '../../sessions/session.service.js';
import type { AccessTokenRecord, AccessTokenRepository } from './access-token.repository.port.js';
import { ACCESS_TOKEN_TYP, CLIENT_CREDENTIALS_GTY } from './oidc-tokens.js';
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

export interface TokenLookupDeps {
  verifier: JwtVerifier;
  accessTokens: Pick<AccessTokenRepository, 'find'>;
  refreshTokens: Pick<RefreshTokenRepository, 'find'>;
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
    const record = await accessTokenRecord(this.deps.accessTokens, payload);
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
 * Departure from "record every token": a `client_credentials` token (`gty`, oidc-tokens.ts) is not
 * recorded when issued. It has no user, grant or session that could be revoked, so its record would
 * only ever answer "not revoked", and writing it was the largest cost of the grant (an SQLite commit
 * touching seven B-trees). Without a record it is described from its signed payload, and RFC 7009
 * revocation records it as revoked (`AccessTokenRepository.revoke`), so a revoked one is refused like
 * any other. Tokens issued before this change have records, which still win.
 */
export async function accessTokenRecord(
  accessTokens: Pick<AccessTokenRepository, 'find'>,
  payload: Record<string, unknown>,
): Promise<AccessTokenRecord | null> {
  if (typeof payload.jti !== 'string') return null;
  const record = await accessTokens.find(payload.jti);
  if (record) return record;
  if (
    payload.gty !== CLIENT_CREDENTIALS_GTY ||
    typeof payload.client_id !== 'string' ||
    typeof payload.iat !== 'number' ||
    typeof payload.exp !== 'number'
  ) {
    return null;
  }
  return {
    jti: payload.jti,
    clientId: payload.client_id,
    userId: null,
    familyId: null,
    sessionId: null,
    scope: typeof payload.scope === 'string' ? payload.scope : '',
    createdAt: new Date(payload.iat * 1000),
    expiresAt: new Date(payload.exp * 1000),
    revokedAt: null,
    claims: null,
  };
}
