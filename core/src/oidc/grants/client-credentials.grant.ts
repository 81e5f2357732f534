import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { RequestScope } from '../../http/route.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { checkNoResource } from './checks/resource.check.js';
import { parseScope } from './checks/scope.check.js';
import type { Grant, TokenResponse } from './grant.js';

/** Scopes about a person: meaningless when no person is involved. */
export const IDENTITY_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'groups', 'offline_access'];

/**
 * RFC 6749 §4.4: a confidential client gets an access token for itself. Public clients cannot
 * (`unauthorized_client`), as in Pocket ID. The token has no user: `sub` is the client id (RFC 9068
 * §2.2), there is no refresh token (§4.4.3) and no ID token.
 *
 * Scopes: Pocket ID grants a client_credentials token only the permissions of an API (RFC 8707
 * `resource`) and strips identity scopes. APIs are not built yet, so identity scopes are dropped
 * silently (a generic client library may send `openid`), any other scope is `invalid_scope` (nothing
 * defines one, and a scope string nobody granted must not reach a resource server), and the token
 * carries no scope; the response says so with `"scope": ""` (RFC 6749 §5.1).
 */
export function clientCredentialsGrant(deps: { issuer: Pick<TokenIssuer, 'issue'> }): Grant {
  return {
    type: 'client_credentials',
    async handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse> {
      if (client.isPublic) {
        throw new OAuthError('unauthorized_client', 'Public clients cannot use the client_credentials grant');
      }
      checkNoResource(body);
      const unknown = parseScope(formValue(body, 'scope')).filter((s) => !IDENTITY_SCOPES.includes(s));
      if (unknown.length > 0) {
        throw new OAuthError(
          'invalid_scope',
          `The scope is not available to this client: ${unknown.join(' ')}`,
        );
      }
      const issued = await deps.issuer.issue({
        issuer: scope.issuer,
        client,
        user: null,
        scopes: [],
        authTime: null,
        amr: [],
        nonce: null,
        sessionId: null,
      });
      return issued.response;
    },
  };
}
