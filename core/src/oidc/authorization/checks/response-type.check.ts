import { fail, type AuthorizationCheck } from '../authorization-request.js';

/**
 * Only the authorization code flow (RFC 6749 §4.1), answered in the query (`form_post` is not built
 * yet, so it is refused rather than silently answered in the query).
 */
export const checkResponseType: AuthorizationCheck = (ctx) => {
  const mode = ctx.params.response_mode;
  if (mode !== undefined && mode !== 'query')
    fail(ctx, 'invalid_request', 'Only response_mode=query is supported');
  const type = ctx.params.response_type;
  if (!type) fail(ctx, 'invalid_request', 'response_type is required');
  if (type !== 'code') fail(ctx, 'unsupported_response_type', 'Only response_type=code is supported');
};
