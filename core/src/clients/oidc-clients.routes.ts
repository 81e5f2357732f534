import { problems } from '../errors/problem.errors.js';
import { paginate, parseListQuery } from '../http/pagination.js';
import { json } from '../http/render.js';
import { defineRoute, type QueryValue, type RouteDef } from '../http/route.js';
import { compileValidator } from '../http/validation.js';
import type { AccountViews } from '../users/account-views.js';
import type { OidcClient } from './oidc-client.js';
import {
  toOidcClientDto,
  toOidcClientMetaDataDto,
  toOidcClientSecretDto,
  type OidcClientWithAllowedUserGroupsDto,
} from './oidc-client.dto.js';
import type { OidcClientRepository } from './oidc-client.repository.port.js';
import {
  createSecretBodySchema,
  oidcClientCreateBodySchema,
  oidcClientUpdateBodySchema,
  userGroupIdsBodySchema,
  type CreateSecretBody,
  type OidcClientBody,
  type OidcClientCreateBody,
} from './oidc-client.schema.js';
import type { OidcClientService } from './oidc-client.service.js';

/** pocket-id-api.md §1.3: `allowedUserGroupsCount` sorts by the number of allowed groups. */
export const OIDC_CLIENT_LIST_SORTABLE = [
  'name',
  'createdAt',
  'pkceEnabled',
  'requiresReauthentication',
  'requiresPushedAuthorizationRequests',
  'skipConsent',
  'isGroupRestricted',
  'pkceSupported',
  'clientType',
  'allowedUserGroupsCount',
] as const;

export const OIDC_CLIENT_LIST_FILTERABLE = [
  'pkceEnabled',
  'requiresReauthentication',
  'requiresPushedAuthorizationRequests',
  'skipConsent',
  'isGroupRestricted',
  'pkceSupported',
  'clientType',
] as const;

type IdParams = { id: string };

// The secrets route also accepts an empty body (§1.1), so it validates by hand rather than through
// `schema.body`, which would answer `body is required`.
const validateSecretBody = compileValidator(createSecretBodySchema, 'body');

/** OIDC clients (pocket-id-api.md §4.10): CRUD, allowed groups and secrets. Logos come later. */
export function oidcClientRoutes(deps: {
  clients: OidcClientRepository;
  service: OidcClientService;
  views: Pick<AccountViews, 'groupsMinimal'>;
}): RouteDef[] {
  const { clients, service, views } = deps;

  async function withGroups(client: OidcClient): Promise<OidcClientWithAllowedUserGroupsDto> {
    const [secrets, groups] = await Promise.all([
      clients.secretsOf([client.id]),
      clients.allowedGroupsOf([client.id]),
    ]);
    return {
      ...toOidcClientDto(client, secrets.get(client.id) ?? []),
      allowedUserGroups: await views.groupsMinimal(groups.get(client.id) ?? []),
    };
  }

  return [
    defineRoute<Record<string, string>, unknown, Record<string, QueryValue>>({
      name: 'oidc-clients.list',
      method: 'GET',
      path: '/api/oidc/clients',
      auth: 'admin',
      tags: ['oidc-clients'],
      summary: 'OIDC clients with their allowed-group counts, paginated; search on the name',
      async handler(req) {
        const list = parseListQuery(req.query, {
          sortable: OIDC_CLIENT_LIST_SORTABLE,
          filterable: OIDC_CLIENT_LIST_FILTERABLE,
        });
        const page = await paginate(
          list,
          () => clients.count(list),
          (offset, limit) => clients.list(list, offset, limit),
        );
        const ids = page.data.map((c) => c.id);
        const [secrets, counts] = await Promise.all([
          clients.secretsOf(ids),
          clients.allowedGroupCounts(ids),
        ]);
        return json(200, {
          ...page,
          data: page.data.map((c) => ({
            ...toOidcClientDto(c, secrets.get(c.id) ?? []),
            allowedUserGroupsCount: counts.get(c.id) ?? 0,
          })),
        });
      },
    }),
    defineRoute<Record<string, string>, OidcClientCreateBody>({
      name: 'oidc-clients.create',
      method: 'POST',
      path: '/api/oidc/clients',
      auth: 'admin',
      body: 'json',
      schema: { body: oidcClientCreateBodySchema },
      tags: ['oidc-clients'],
      summary: 'Create an OIDC client (no secret is created)',
      async handler(req) {
        return json(201, await withGroups(await service.create(req.body, req.auth?.user.id ?? null)));
      },
    }),
    defineRoute<IdParams>({
      name: 'oidc-clients.get',
      method: 'GET',
      path: '/api/oidc/clients/:id',
      auth: 'admin',
      tags: ['oidc-clients'],
      summary: 'One OIDC client with its allowed groups and secrets (without their values)',
      async handler(req) {
        return json(200, await withGroups(await service.find(req.params.id)));
      },
    }),
    defineRoute<IdParams, OidcClientBody>({
      name: 'oidc-clients.update',
      method: 'PUT',
      path: '/api/oidc/clients/:id',
      auth: 'admin',
      body: 'json',
      schema: { body: oidcClientUpdateBodySchema },
      tags: ['oidc-clients'],
      summary: 'Replace the fields of an OIDC client (an omitted flag is false)',
      async handler(req) {
        return json(200, await withGroups(await service.update(req.params.id, req.body)));
      },
    }),
    defineRoute<IdParams>({
      name: 'oidc-clients.delete',
      method: 'DELETE',
      path: '/api/oidc/clients/:id',
      auth: 'admin',
      tags: ['oidc-clients'],
      summary: 'Delete an OIDC client (its secrets and group links go with it)',
      async handler(req) {
        await service.delete(req.params.id);
        return { status: 204 };
      },
    }),
    defineRoute<IdParams>({
      name: 'oidc-clients.meta',
      method: 'GET',
      path: '/api/oidc/clients/:id/meta',
      auth: 'public',
      tags: ['oidc-clients'],
      summary: "A client's public metadata (name, logos, launch URL), for the sign-in pages",
      async handler(req) {
        return json(200, toOidcClientMetaDataDto(await service.find(req.params.id)));
      },
    }),
    defineRoute<IdParams, { userGroupIds: string[] }>({
      name: 'oidc-clients.allowed-user-groups.set',
      method: 'PUT',
      path: '/api/oidc/clients/:id/allowed-user-groups',
      auth: 'admin',
      body: 'json',
      schema: { body: userGroupIdsBodySchema },
      tags: ['oidc-clients'],
      summary: 'Replace the groups allowed to use a client (unknown ids are ignored)',
      async handler(req) {
        return json(
          200,
          await withGroups(await service.setAllowedGroups(req.params.id, req.body.userGroupIds)),
        );
      },
    }),
    defineRoute<IdParams>({
      name: 'oidc-clients.secrets.list',
      method: 'GET',
      path: '/api/oidc/clients/:id/secrets',
      auth: 'admin',
      tags: ['oidc-clients'],
      summary: "A client's secrets, newest first, expired ones included (never their values)",
      async handler(req) {
        const now = new Date();
        const secrets = await service.listSecrets(req.params.id);
        return json(
          200,
          secrets.map((s) => toOidcClientSecretDto(s, now)),
        );
      },
    }),
    defineRoute<IdParams, CreateSecretBody | undefined>({
      name: 'oidc-clients.secrets.create',
      method: 'POST',
      path: '/api/oidc/clients/:id/secrets',
      auth: 'admin',
      body: 'json',
      tags: ['oidc-clients'],
      summary: 'Create a client secret; the answer is the only time its value is shown',
      async handler(req) {
        const body = req.body ?? {};
        const errors =
          typeof body === 'object' && body !== null && !Array.isArray(body)
            ? validateSecretBody(body)
            : [{ field: 'body', code: 'invalid_type', message: 'must be an object' }];
        if (errors.length > 0) throw problems.validationFailed(errors);
        const { secret, value } = await service.createSecret(req.params.id, body);
        // The clear secret must not linger in any cache.
        return json(
          201,
          { ...toOidcClientSecretDto(secret), secret: value },
          { 'cache-control': 'no-store' },
        );
      },
    }),
    defineRoute<IdParams & { secretId: string }>({
      name: 'oidc-clients.secrets.delete',
      method: 'DELETE',
      path: '/api/oidc/clients/:id/secrets/:secretId',
      auth: 'admin',
      tags: ['oidc-clients'],
      summary: 'Delete a client secret',
      async handler(req) {
        await service.deleteSecret(req.params.id, req.params.secretId);
        return { status: 204 };
      },
    }),
  ];
}
