import { compileCallbackPattern } from '../../../clients/checks/callback-url.check.js';
import { AuthorizeError, type AuthorizationCheck } from '../authorization-request.js';

/**
 * pocket-id-api.md §9: the redirect URI must match one of the client's callback URL patterns (loopback
 * http accepts any port, RFC 8252 §7.3). Pocket ID fills in an omitted redirect_uri when exactly one
 * callback URL is registered and it is not a pattern.
 */
export const checkRedirectUri: AuthorizationCheck = (ctx) => {
  const callbacks = ctx.client!.callbackUrls;
  let uri = ctx.params.redirect_uri;
  if (!uri) {
    if (callbacks.length === 1 && !callbacks[0]!.includes('*')) uri = callbacks[0]!;
    else throw new AuthorizeError('invalid_request', 'redirect_uri is required');
  }
  if (uri.includes('#')) throw new AuthorizeError('invalid_request', 'redirect_uri has a fragment');
  const matches = callbacks.some((pattern) => compileCallbackPattern(pattern)?.test(uri) === true);
  if (!matches) {
    throw new AuthorizeError('invalid_request', 'redirect_uri is not a registered callback URL');
  }
  ctx.redirectUri = uri;
};
