import { OAuthError } from '../../errors/oauth.errors.js';
import { defineRoute, type RouteDef } from '../../http/route.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import type { AccessTokenRepository } from '../tokens/access-token.repository.port.js';
import type { RefreshTokenRepository } from '../tokens/refresh-token.repository.port.js';
import type { TokenLookup } from '../tokens/token-lookup.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';

/** Pocket ID has no revocation endpoint (inventory §1); this path sits beside its token endpoint. */
export const REVOCATION_PATH = '/api/oidc/revoke';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface RevocationDeps {
  authenticateClient: ClientAuthenticator;
  tokens: Pick<TokenLookup, 'find'>;
  accessTokens: Pick<AccessTokenRepository, 'revoke'>;
  refreshTokens: Pick<RefreshTokenRepository, 'revokeFamily'>;
  now?: () => Date;
}

/**
 * Advertised on the back-channel base like the token endpoint, with the token endpoint's methods:
 * public clients revoke their own tokens with `none` (RFC 7009 §5 expects them to).
 */
export function registerRevocationDiscovery(
  discovery: DiscoveryRegistry,
  deps: { authMethods: readonly string[] },
): void {
  discovery.add('revocation', ({ backchannelBase }) => ({
    revocation_endpoint: `${backchannelBase}${REVOCATION_PATH}`,
    revocation_endpoint_auth_methods_supported: [...deps.authMethods],
  }));
}

/**
 * `POST /api/oidc/revoke` (RFC 7009; beyond Pocket ID). Revoking a refresh token revokes its whole
 * family and the access tokens issued from it (§2.1: "SHOULD also invalidate all access tokens based
 * on the same authorization grant"); revoking an access token revokes that token only. An unknown,
 * expired or already revoked token, or one of another client, changes nothing and still answers 200
 * (§2.2), so the endpoint tells a caller nothing about tokens that are not its own.
 */
export function revocationRoutes(deps: RevocationDeps): RouteDef[] {
  const now = deps.now ?? (() => new Date());
  return [
    defineRoute<Record<string, string>, FormBody>({
      name: 'oidc.revoke',
      method: 'POST',
      path: REVOCATION_PATH,
      auth: 'client',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Revoke an access or refresh token of the calling client (RFC 7009)',
      async handler(req, scope) {
        rejectUnstorableCharacters(req.body);
        const client = await deps.authenticateClient(req, req.body);
        const token = formValue(req.body, 'token');
        if (!token) throw new OAuthError('invalid_request', 'token is required');
        const found = await deps.tokens.find(token, scope.issuer, formValue(req.body, 'token_type_hint'));
        if (found?.type === 'access_token' && found.record.clientId === client.id) {
          await deps.accessTokens.revoke(found.record, now());
        } else if (found?.type === 'refresh_token' && found.family.clientId === client.id) {
          await deps.refreshTokens.revokeFamily(found.family.id, now());
        }
        return { status: 200, headers: NO_STORE };
      },
    }),
  ];
}
