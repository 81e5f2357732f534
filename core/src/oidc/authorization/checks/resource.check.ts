import { fail, type AuthorizationCheck } from '../authorization-request.js';

/** RFC 8707 resource indicators are not supported yet: refuse rather than ignore them. */
export const checkResource: AuthorizationCheck = (ctx) => {
  if (ctx.params.resource !== undefined)
    fail(ctx, 'invalid_target', 'The resource parameter is not supported');
};
