import { ClaimsRequestError, parseClaimsRequest, requestedSubject } from '../../claims/claims-request.js';
import { fail, type AuthorizationCheck } from '../authorization-request.js';

/**
 * OIDC Core §5.5 `claims`: a JSON object whose `userinfo` and `id_token` members name individual claims.
 * It may come in the query, a form POST, a pushed request, or (as an object) an unsigned request
 * object, which the request-object check has already turned into JSON text. Malformed → `invalid_request`,
 * redirected like every error after the redirect URI check. An ID-token `sub` with a `value` (§5.5.1.1)
 * binds the request to that person, as an `id_token_hint` does.
 */
export const checkClaims: AuthorizationCheck = (ctx) => {
  const text = ctx.params.claims;
  if (text === undefined || text === '') return;
  try {
    ctx.claims = parseClaimsRequest(text);
  } catch (error) {
    if (!(error instanceof ClaimsRequestError)) throw error;
    fail(ctx, 'invalid_request', error.message);
  }
  ctx.requestedSubject = requestedSubject(ctx.claims);
};
