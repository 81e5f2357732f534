import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { HttpRequest } from '../../http/route.js';
import { invalidClient } from './client-auth.errors.js';
import { clientSecretBasic } from './client-secret-basic.js';
import { clientSecretPost } from './client-secret-post.js';
import type { ClientAuthDeps, ClientAuthMethod, FormBody } from './client-auth-method.port.js';
import { noneAuth } from './none.js';

/** The built-in methods, in the order discovery lists them. */
export function builtInClientAuthMethods(deps: ClientAuthDeps): ClientAuthMethod[] {
  return [clientSecretBasic(deps), clientSecretPost(deps), noneAuth(deps)];
}

export type ClientAuthenticator = (req: HttpRequest, body: FormBody) => Promise<OidcClient>;

/**
 * RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
 * Exactly one method must recognise the request; it then decides.
 */
export function createClientAuthenticator(methods: readonly ClientAuthMethod[]): ClientAuthenticator {
  return async function authenticateClient(req, body) {
    const used = methods.filter((m) => m.detect(req, body));
    if (used.length > 1) {
      throw new OAuthError(
        'invalid_request',
        `More than one client authentication method was used (${used.map((m) => m.name).join(', ')})`,
      );
    }
    if (used.length === 0) throw invalidClient('No client authentication was included');
    return used[0]!.authenticate(req, body);
  };
}
