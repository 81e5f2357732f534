import { toOidcClientMetaDataDto, type OidcClientMetaDataDto } from '../../clients/oidc-client.dto.js';
import { OIDC_CLIENT_LIST_FILTERABLE, OIDC_CLIENT_LIST_SORTABLE } from '../../clients/oidc-clients.routes.js';
import { problems } from '../../errors/problem.errors.js';
import { parseListQuery } from '../../http/pagination.js';
import { json } from '../../http/render.js';
import { defineRoute, type HttpRequest, type QueryValue, type RouteDef } from '../../http/route.js';
import type { User } from '../../users/user.js';
import { userNotFound } from '../../users/user.errors.js';
import type { AuthorizedClientsService } from './authorized-clients.service.js';

/** pocket-id-api.md §1.3: sortable by `lastUsedAt`, filterable by `hasLaunchURL`. */
export const AUTHORIZED_CLIENT_LIST_SORTABLE = ['lastUsedAt'] as const;
export const AUTHORIZED_CLIENT_LIST_FILTERABLE = ['hasLaunchURL'] as const;

/** pocket-id-api.md §1.3: "my apps" sorts and filters as the OIDC client list, plus these. */
export const ACCESSIBLE_CLIENT_LIST_SORTABLE = [...OIDC_CLIENT_LIST_SORTABLE, 'lastUsedAt'] as const;
export const ACCESSIBLE_CLIENT_LIST_FILTERABLE = [...OIDC_CLIENT_LIST_FILTERABLE, 'hasLaunchURL'] as const;

/**
 * Pocket ID's AccessibleOidcClientDto: the client's metadata (with `requiresReauthentication` always
 * false, as Pocket ID sends it) and when the user last used it.
 */
export type AccessibleOidcClientDto = OidcClientMetaDataDto & { lastUsedAt: string | null };

/**
 * Pocket ID's AuthorizedOidcClientDto. Its `scope` string format is not pinned down in our reference;
 * we send the space-separated OAuth form.
 */
export interface AuthorizedOidcClientDto {
  scope: string;
  client: OidcClientMetaDataDto;
  lastUsedAt: string | null;
}

/**
 * `GET`/`DELETE /api/oidc/users/me/authorized-clients[/:clientId]`, the admin's `GET …/:id/…`, and
 * `GET /api/oidc/users/me/clients` (the user's "my apps").
 */
export function authorizedClientRoutes(deps: {
  service: AuthorizedClientsService;
  users: { findById(id: string): Promise<User | null> };
}): RouteDef[] {
  const listFor = async (userId: string, req: HttpRequest<unknown, unknown, Record<string, QueryValue>>) => {
    const page = await deps.service.list(
      userId,
      parseListQuery(req.query, {
        sortable: AUTHORIZED_CLIENT_LIST_SORTABLE,
        filterable: AUTHORIZED_CLIENT_LIST_FILTERABLE,
      }),
    );
    return json(200, {
      ...page,
      data: page.data.map((entry): AuthorizedOidcClientDto => ({
        scope: entry.scopes.join(' '),
        client: toOidcClientMetaDataDto(entry.client),
        lastUsedAt: entry.lastUsedAt?.toISOString() ?? null,
      })),
    });
  };
  const me = (req: HttpRequest<unknown, unknown, unknown>) => {
    if (!req.auth) throw problems.notSignedIn();
    return req.auth.user.id;
  };

  return [
    defineRoute<Record<string, string>, unknown, Record<string, QueryValue>>({
      name: 'oidc.authorized-clients.mine',
      method: 'GET',
      path: '/api/oidc/users/me/authorized-clients',
      auth: 'user',
      tags: ['oidc'],
      summary: 'The clients you authorized, with the scopes you granted, paginated',
      async handler(req) {
        return listFor(me(req), req);
      },
    }),
    defineRoute<{ id: string }, unknown, Record<string, QueryValue>>({
      name: 'oidc.authorized-clients.of-user',
      method: 'GET',
      path: '/api/oidc/users/:id/authorized-clients',
      auth: 'admin',
      tags: ['oidc'],
      summary: 'The clients a user authorized, paginated',
      async handler(req) {
        const user = await deps.users.findById(req.params.id);
        if (!user) throw userNotFound();
        return listFor(user.id, req);
      },
    }),
    defineRoute<Record<string, string>, unknown, Record<string, QueryValue>>({
      name: 'oidc.accessible-clients.mine',
      method: 'GET',
      path: '/api/oidc/users/me/clients',
      auth: 'user',
      tags: ['oidc'],
      summary: 'The clients you may sign in to ("my apps"), with when you last used each, paginated',
      async handler(req) {
        const page = await deps.service.listAccessible(
          me(req),
          parseListQuery(req.query, {
            sortable: ACCESSIBLE_CLIENT_LIST_SORTABLE,
            filterable: ACCESSIBLE_CLIENT_LIST_FILTERABLE,
          }),
        );
        return json(200, {
          ...page,
          data: page.data.map((entry): AccessibleOidcClientDto => ({
            ...toOidcClientMetaDataDto(entry.client),
            requiresReauthentication: false,
            lastUsedAt: entry.lastUsedAt?.toISOString() ?? null,
          })),
        });
      },
    }),
    defineRoute<{ clientId: string }>({
      name: 'oidc.authorized-clients.revoke',
      method: 'DELETE',
      path: '/api/oidc/users/me/authorized-clients/:clientId',
      auth: 'user',
      tags: ['oidc'],
      summary: "Take back a client's authorization: its consent, refresh tokens and access tokens",
      async handler(req) {
        await deps.service.revoke(me(req), req.params.clientId);
        return { status: 204 };
      },
    }),
  ];
}
