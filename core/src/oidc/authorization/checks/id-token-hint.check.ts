import { fail, type AuthorizationCheck } from '../authorization-request.js';

/**
 * OIDC Core §3.1.2.1 `id_token_hint`: an ID token this server issued to this client, verified with
 * our keys; an expired one is accepted ("the ID Token ... MAY have expired"). Its `sub` is compared
 * with the signed-in person later, when the steps are decided.
 */
export const checkIdTokenHint: AuthorizationCheck = async (ctx, deps) => {
  const hint = ctx.params.id_token_hint;
  if (hint === undefined || hint === '') return;
  const claims = await deps.verifyIdTokenHint(hint, ctx.client!.id);
  if (!claims || typeof claims.sub !== 'string' || claims.sub === '') {
    fail(ctx, 'invalid_request', 'id_token_hint is not an ID token this server issued to this client');
  }
  ctx.idTokenHintSubject = claims!.sub as string;
};
