import { ProblemError, problems } from '../errors/problem.errors.js';
import { MAX_CLIENT_SECRETS } from './oidc-client.js';

export const oidcClientProblems = {
  /** 404 `not_found` with `details.resource` "OIDC client", as Pocket ID answers. */
  notFound: () => problems.notFound('OIDC client not found', { resource: 'OIDC client' }),
  secretNotFound: () => problems.notFound('Client secret not found', { resource: 'Client secret' }),
  idTaken: () =>
    new ProblemError({
      status: 409,
      code: 'client_id_already_exists',
      detail: 'A client with this ID already exists',
    }),
  /** Pocket ID answers `validation_failed` here; a code of our own says which rule it was. */
  publicClientSecret: () =>
    new ProblemError({
      status: 400,
      code: 'oidc_public_client_secret',
      detail: 'Public clients cannot have client secrets',
    }),
  secretLimit: () =>
    new ProblemError({
      status: 400,
      code: 'oidc_client_secret_limit_reached',
      detail: `A client can have at most ${MAX_CLIENT_SECRETS} secrets; delete one first`,
      details: { max: MAX_CLIENT_SECRETS },
    }),
};
