import { fail, type AuthorizationCheck } from '../authorization-request.js';

/**
 * Scopes pass through as requested (plain OAuth without `openid` is allowed); `nonce`, when sent,
 * must have some entropy (fosite's minimum of 8 characters, as Pocket ID).
 */
export const checkScope: AuthorizationCheck = (ctx) => {
  ctx.scopes = [...new Set((ctx.params.scope ?? '').split(' ').filter(Boolean))];
  const nonce = ctx.params.nonce;
  if (nonce !== undefined && nonce !== '') {
    if (nonce.length < 8) fail(ctx, 'invalid_request', 'nonce must be at least 8 characters');
    ctx.nonce = nonce;
  }
};
