import { fail, type AuthorizationCheck } from '../authorization-request.js';

const VERIFIER_SHAPE = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 7636: required for public clients and clients with `pkceEnabled`; S256 or plain. */
export const checkPkce: AuthorizationCheck = (ctx) => {
  const client = ctx.client!;
  const challenge = ctx.params.code_challenge;
  const method = ctx.params.code_challenge_method ?? (challenge ? 'plain' : undefined);
  if (!challenge) {
    if (client.isPublic || client.pkceEnabled) fail(ctx, 'invalid_request', 'code_challenge is required');
    if (method !== undefined) fail(ctx, 'invalid_request', 'code_challenge_method without code_challenge');
    return;
  }
  if (method !== 'S256' && method !== 'plain') {
    fail(ctx, 'invalid_request', 'code_challenge_method must be S256 or plain');
  }
  if (!VERIFIER_SHAPE.test(challenge)) fail(ctx, 'invalid_request', 'code_challenge is malformed');
  ctx.codeChallenge = challenge;
  ctx.codeChallengeMethod = method as 'S256' | 'plain';
};
