import { OAuthError } from '../../errors/oauth.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type HttpRequest, type RouteDef } from '../../http/route.js';
import type { User } from '../../users/user.js';
import { requestedClaimNames } from '../claims/claims-request.js';
import {
  SUPPORTED_CLAIMS,
  SUPPORTED_SCOPES,
  type ScopeClaimsService,
} from '../claims/scope-claims.service.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import type { AccessTokenRepository } from '../tokens/access-token.repository.port.js';
import type { RefreshTokenRepository } from '../tokens/refresh-token.repository.port.js';
import { ACCESS_TOKEN_TYP } from '../tokens/oidc-tokens.js';
import { accessTokenRecord } from '../tokens/token-lookup.js';

export const USERINFO_PATH = '/api/oidc/userinfo';
const REALM = 'latchkey';

export interface UserinfoDeps {
  verifier: {
    verify(
      jwt: string,
      options: { issuer: string; typ: string },
    ): Promise<{ payload: Record<string, unknown> }>;
  };
  /** The issued tokens' records and families: a revoked (or unknown) token is refused before it expires. */
  accessTokens: Pick<AccessTokenRepository, 'find'>;
  refreshTokens: Pick<RefreshTokenRepository, 'findFamily'>;
  users: { findById(id: string): Promise<User | null> };
  claims: ScopeClaimsService;
}

export function registerUserinfoDiscovery(discovery: DiscoveryRegistry): void {
  discovery.add('userinfo', ({ backchannelBase }) => ({
    userinfo_endpoint: `${backchannelBase}${USERINFO_PATH}`,
    // offline_access: every code grant gets a refresh token anyway (as Pocket ID), but RPs ask for it.
    scopes_supported: [...SUPPORTED_SCOPES, 'offline_access'],
    claims_supported: [...SUPPORTED_CLAIMS],
  }));
}

/** RFC 6750 §3: the error goes in `WWW-Authenticate` as well as the body. */
function bearerError(error: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description: string) {
  const header =
    error === 'insufficient_scope'
      ? `Bearer realm="${REALM}", error="insufficient_scope", scope="openid"`
      : `Bearer realm="${REALM}", error="${error}"`;
  return new OAuthError(error, description, { headers: { 'www-authenticate': header } });
}

/** RFC 6750 §2.1 (header) or §2.2 (form body, POST only); never both (§2). */
function bearerToken(req: HttpRequest<Record<string, string>, FormBody | undefined>): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  const fromBody = req.method === 'POST' && req.body ? formValue(req.body, 'access_token') : undefined;
  if (match && fromBody !== undefined) {
    throw bearerError('invalid_request', 'The access token was sent in more than one way');
  }
  const token = match?.[1] ?? fromBody;
  if (!token) {
    // §3.1: a request with no credentials gets the challenge without an error code.
    throw new OAuthError('invalid_token', 'No access token was sent', {
      headers: { 'www-authenticate': `Bearer realm="${REALM}"` },
    });
  }
  return token;
}

/**
 * `GET`/`POST /api/oidc/userinfo` (OIDC Core §5.3): the token's scope claims for its subject, plus the
 * `userinfo` claims its grant's `claims` request named (§5.5).
 */
export function userinfoRoutes(deps: UserinfoDeps): RouteDef[] {
  return [
    defineRoute<Record<string, string>, FormBody | undefined>({
      name: 'oidc.userinfo',
      method: ['GET', 'POST'],
      path: USERINFO_PATH,
      auth: 'bearer',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Claims about the signed-in user (OIDC Core §5.3)',
      async handler(req, scope) {
        const token = bearerToken(req);
        let payload: Record<string, unknown>;
        try {
          ({ payload } = await deps.verifier.verify(token, { issuer: scope.issuer, typ: ACCESS_TOKEN_TYP }));
        } catch {
          throw bearerError('invalid_token', 'The access token is invalid or expired');
        }
        const record = await accessTokenRecord(deps, payload);
        if (!record || record.revokedAt) {
          throw bearerError('invalid_token', 'The access token was revoked');
        }
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        if (!scopes.includes('openid')) {
          throw bearerError('insufficient_scope', 'The access token was not granted the openid scope');
        }
        const user = typeof payload.sub === 'string' ? await deps.users.findById(payload.sub) : null;
        if (!user || user.disabled) throw bearerError('invalid_token', 'The user is no longer active');
        // The grant's `claims` request (OIDC Core §5.5) adds its `userinfo` claims to the scope claims.
        const requested = requestedClaimNames(record.claims, 'userinfo');
        return json(200, await deps.claims.claimsFor(user, scopes, scope.issuer, requested), {
          'cache-control': 'no-store',
          pragma: 'no-cache',
        });
      },
    }),
  ];
}
