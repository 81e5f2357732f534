import { paginate, parseListQuery } from '../http/pagination.js';
import { json } from '../http/render.js';
import { defineRoute, type QueryValue, type RouteDef } from '../http/route.js';
import type { AccountViews } from '../users/account-views.js';
import type { UserGroupRepository } from './user-group.repository.port.js';
import { userGroupBodySchema, userIdsBodySchema, type UserGroupBody } from './user-group.schema.js';
import type { UserGroupService } from './user-group.service.js';

/** pocket-id-api.md §1.3: `userCount` sorts by the number of members. */
export const USER_GROUP_LIST_SORTABLE = ['friendlyName', 'name', 'createdAt', 'userCount'] as const;

type IdParams = { id: string };

/** User groups (pocket-id-api.md §4.4). Allowed OIDC clients come with the OIDC client feature. */
export function userGroupRoutes(deps: {
  groups: UserGroupRepository;
  service: UserGroupService;
  views: AccountViews;
}): RouteDef[] {
  const { groups, service, views } = deps;
  return [
    defineRoute<Record<string, string>, unknown, Record<string, QueryValue>>({
      name: 'user-groups.list',
      method: 'GET',
      path: '/api/user-groups',
      auth: 'admin',
      tags: ['user-groups'],
      summary: 'User groups with their member counts, paginated; search on the name',
      async handler(req) {
        const list = parseListQuery(req.query, { sortable: USER_GROUP_LIST_SORTABLE });
        const page = await paginate(
          list,
          () => groups.count(list),
          (offset, limit) => groups.list(list, offset, limit),
        );
        const counts = await groups.memberCounts(page.data.map((g) => g.id));
        return json(200, { ...page, data: await views.groupsMinimal(page.data, counts) });
      },
    }),
    defineRoute<Record<string, string>, UserGroupBody>({
      name: 'user-groups.create',
      method: 'POST',
      path: '/api/user-groups',
      auth: 'admin',
      body: 'json',
      schema: { body: userGroupBodySchema },
      tags: ['user-groups'],
      summary: 'Create a user group',
      async handler(req) {
        return json(201, await views.group(await service.create(req.body)));
      },
    }),
    defineRoute<IdParams>({
      name: 'user-groups.get',
      method: 'GET',
      path: '/api/user-groups/:id',
      auth: 'admin',
      tags: ['user-groups'],
      summary: 'One user group with its members',
      async handler(req) {
        return json(200, await views.group(await service.find(req.params.id)));
      },
    }),
    defineRoute<IdParams, UserGroupBody>({
      name: 'user-groups.update',
      method: 'PUT',
      path: '/api/user-groups/:id',
      auth: 'admin',
      body: 'json',
      schema: { body: userGroupBodySchema },
      tags: ['user-groups'],
      summary: 'Rename a user group',
      async handler(req) {
        return json(200, await views.group(await service.update(req.params.id, req.body)));
      },
    }),
    defineRoute<IdParams>({
      name: 'user-groups.delete',
      method: 'DELETE',
      path: '/api/user-groups/:id',
      auth: 'admin',
      tags: ['user-groups'],
      summary: 'Delete a user group (its memberships and claims go with it)',
      async handler(req) {
        await service.delete(req.params.id);
        return { status: 204 };
      },
    }),
    defineRoute<IdParams, { userIds: string[] }>({
      name: 'user-groups.users.set',
      method: 'PUT',
      path: '/api/user-groups/:id/users',
      auth: 'admin',
      body: 'json',
      schema: { body: userIdsBodySchema },
      tags: ['user-groups'],
      summary: 'Replace the members of a group (unknown ids are ignored)',
      async handler(req) {
        return json(200, await views.group(await service.setMembers(req.params.id, req.body.userIds)));
      },
    }),
  ];
}
