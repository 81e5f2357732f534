import { OAuthError } from '../../errors/oauth.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type RouteDef } from '../../http/route.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import type { Grant } from '../grants/grant.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';

export const TOKEN_PATH = '/api/oidc/token';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface TokenEndpointDeps {
  authenticateClient: ClientAuthenticator;
  grants: readonly Grant[];
}

/** Advertises the token endpoint on the back-channel base, as Pocket ID does (inventory §2). */
export function registerTokenDiscovery(
  discovery: DiscoveryRegistry,
  deps: { authMethods: readonly string[]; grants: readonly Grant[] },
): void {
  discovery.add('token', ({ backchannelBase }) => ({
    token_endpoint: `${backchannelBase}${TOKEN_PATH}`,
    token_endpoint_auth_methods_supported: [...deps.authMethods],
    grant_types_supported: deps.grants.map((g) => g.type),
  }));
}

/**
 * `POST /api/oidc/token` (RFC 6749 §3.2): parse the form, authenticate the client, pick the grant,
 * let it issue. Every answer is `no-store` (§5.1).
 */
export function tokenRoutes(deps: TokenEndpointDeps): RouteDef[] {
  return [
    defineRoute<Record<string, string>, FormBody>({
      name: 'oidc.token',
      method: 'POST',
      path: TOKEN_PATH,
      auth: 'client',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Exchange a grant for tokens (RFC 6749 §3.2)',
      async handler(req, scope) {
        const body = req.body;
        rejectUnstorableCharacters(body);
        const grantType = formValue(body, 'grant_type');
        if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
        const client = await deps.authenticateClient(req, body);
        const grant = deps.grants.find((g) => g.type === grantType);
        if (!grant)
          throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
        return json(200, await grant.handle(body, client, scope), NO_STORE);
      },
    }),
  ];
}
