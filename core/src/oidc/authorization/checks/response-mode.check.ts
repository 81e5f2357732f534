import {
  RESPONSE_MODES,
  fail,
  type AuthorizationCheck,
  type ResponseMode,
} from '../authorization-request.js';

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1 and Form Post Response Mode: `query` is the
 * code flow's default; `fragment` and `form_post` are honoured for success and error alike. Runs right
 * after the redirect URI is verified, so every later error travels in the requested mode; an unknown
 * mode's own error goes back in the query.
 */
export const checkResponseMode: AuthorizationCheck = (ctx) => {
  const mode = ctx.params.response_mode;
  if (mode === undefined) return;
  if (!(RESPONSE_MODES as readonly string[]).includes(mode)) {
    fail(ctx, 'invalid_request', `response_mode must be one of ${RESPONSE_MODES.join(', ')}`);
  }
  ctx.responseMode = mode as ResponseMode;
};
