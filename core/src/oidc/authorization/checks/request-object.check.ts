import { fail, type AuthorizationCheck } from '../authorization-request.js';

/** Request objects (OIDC Core §6) and PAR request URIs are not supported yet. */
export const checkRequestObject: AuthorizationCheck = (ctx) => {
  if (ctx.params.request !== undefined)
    fail(ctx, 'request_not_supported', 'Request objects are not supported');
  if (ctx.params.request_uri !== undefined) {
    fail(ctx, 'request_uri_not_supported', 'request_uri is not supported');
  }
};
