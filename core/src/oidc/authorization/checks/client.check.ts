import { AuthorizeError, type AuthorizationCheck } from '../authorization-request.js';

/** The client must exist; until it does, nothing can be redirected (RFC 6749 §4.1.2.1). */
export const checkClient: AuthorizationCheck = async (ctx, deps) => {
  const id = ctx.params.client_id;
  if (!id) throw new AuthorizeError('invalid_request', 'client_id is required');
  const client = await deps.findClient(id);
  if (!client) throw new AuthorizeError('invalid_client', 'Client not found');
  ctx.client = client;
};
