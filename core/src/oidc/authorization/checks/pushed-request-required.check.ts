import { fail, type AuthorizationCheck } from '../authorization-request.js';

/** RFC 9126 §6 (`require_pushed_authorization_requests`), per client as Pocket ID has it. */
export const checkPushedRequestRequired: AuthorizationCheck = (ctx) => {
  if (ctx.source === 'authorize' && !ctx.pushed && ctx.client!.requiresPushedAuthorizationRequests) {
    fail(ctx, 'invalid_request', 'This client must use a pushed authorization request (request_uri)');
  }
};
