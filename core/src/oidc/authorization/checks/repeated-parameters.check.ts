import { fail, type AuthorizationCheck } from '../authorization-request.js';

/**
 * RFC 6749 §3.1 ("Request and response parameters MUST NOT be included more than once") and §4.1.2.1:
 * the error is `invalid_request`, redirected to the client now that its redirect URI is verified. The
 * endpoint has already refused repeats of the parameters that decide the redirect URI.
 */
export const checkRepeatedParameters: AuthorizationCheck = (ctx) => {
  if (ctx.repeated.length > 0) {
    fail(ctx, 'invalid_request', `The '${ctx.repeated[0]}' parameter is included more than once`);
  }
};
