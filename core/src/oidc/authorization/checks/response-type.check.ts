import { fail, type AuthorizationCheck } from '../authorization-request.js';

/** Only the authorization code flow (RFC 6749 §4.1), as Pocket ID v2. */
export const checkResponseType: AuthorizationCheck = (ctx) => {
  const type = ctx.params.response_type;
  if (!type) fail(ctx, 'invalid_request', 'response_type is required');
  if (type !== 'code') fail(ctx, 'unsupported_response_type', 'Only response_type=code is supported');
};
