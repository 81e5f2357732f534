import { paginate, parseListQuery } from '../http/pagination.js';
import { json } from '../http/render.js';
import { clientInfo, defineRoute, type QueryValue, type RouteDef } from '../http/route.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import type { AccountViews } from './account-views.js';
import { userNotFound } from './user.errors.js';
import type { UserRepository } from './user.repository.port.js';
import { userBodySchema, userGroupIdsBodySchema, type UserBody } from './user.schema.js';
import type { UserService } from './user.service.js';

/** pocket-id-api.md §1.3: what `GET /api/users` sorts and filters by. */
export const USER_LIST_SORTABLE = [
  'username',
  'email',
  'emailVerified',
  'firstName',
  'lastName',
  'displayName',
  'isAdmin',
  'disabled',
  'createdAt',
] as const;
export const USER_LIST_FILTERABLE = ['emailVerified', 'isAdmin', 'disabled'] as const;

type IdParams = { id: string };

/**
 * Users (pocket-id-api.md §4.3): the signed-in user's own profile, and the admin's user management.
 * Profile pictures, WebAuthn credentials of other users and email verification come with their features.
 */
export function userRoutes(deps: {
  users: UserRepository;
  groups: Pick<UserGroupRepository, 'groupsOfUsers'>;
  service: UserService;
  views: AccountViews;
}): RouteDef[] {
  const { users, service, views } = deps;
  const findUser = async (id: string) => (await users.findById(id)) ?? Promise.reject(userNotFound());
  return [
    meRoute(views),
    // `id` and `userGroupIds` are read on create only, as Pocket ID's shared UserCreateDto does.
    defineRoute<Record<string, string>, UserBody>({
      name: 'users.me.update',
      method: 'PUT',
      path: '/api/users/me',
      auth: 'user',
      body: 'json',
      schema: { body: userBodySchema },
      tags: ['users'],
      summary: 'Edit the signed-in user (admin flags ignored; only locale unless allowOwnAccountEdit)',
      async handler(req) {
        return json(200, await views.user(await service.updateOwn(req.auth!.user, req.body)));
      },
    }),
    defineRoute<Record<string, string>, unknown, Record<string, QueryValue>>({
      name: 'users.list',
      method: 'GET',
      path: '/api/users',
      auth: 'admin',
      tags: ['users'],
      summary: 'Users, paginated; search on email, names and username',
      async handler(req) {
        const list = parseListQuery(req.query, {
          sortable: USER_LIST_SORTABLE,
          filterable: USER_LIST_FILTERABLE,
        });
        const page = await paginate(
          list,
          () => users.count(list),
          (offset, limit) => users.list(list, offset, limit),
        );
        return json(200, { ...page, data: await views.users(page.data) });
      },
    }),
    defineRoute<Record<string, string>, UserBody>({
      name: 'users.create',
      method: 'POST',
      path: '/api/users',
      auth: 'admin',
      body: 'json',
      schema: { body: userBodySchema },
      tags: ['users'],
      summary: 'Create a user',
      async handler(req) {
        const user = await service.create(req.body, { userId: req.auth!.user.id, client: clientInfo(req) });
        return json(201, await views.user(user));
      },
    }),
    defineRoute<IdParams>({
      name: 'users.get',
      method: 'GET',
      path: '/api/users/:id',
      auth: 'admin',
      tags: ['users'],
      summary: 'One user',
      async handler(req) {
        return json(200, await views.user(await findUser(req.params.id)));
      },
    }),
    defineRoute<IdParams, UserBody>({
      name: 'users.update',
      method: 'PUT',
      path: '/api/users/:id',
      auth: 'admin',
      body: 'json',
      schema: { body: userBodySchema },
      tags: ['users'],
      summary: 'Replace a user’s fields; disabling revokes their sessions',
      async handler(req) {
        return json(200, await views.user(await service.update(req.params.id, req.body)));
      },
    }),
    defineRoute<IdParams>({
      name: 'users.delete',
      method: 'DELETE',
      path: '/api/users/:id',
      auth: 'admin',
      tags: ['users'],
      summary: 'Delete a user and revoke their sessions',
      async handler(req) {
        await service.delete(req.params.id);
        return { status: 204 };
      },
    }),
    defineRoute<IdParams>({
      name: 'users.groups',
      method: 'GET',
      path: '/api/users/:id/groups',
      auth: 'admin',
      tags: ['users'],
      summary: 'The groups of a user',
      async handler(req) {
        const user = await findUser(req.params.id);
        const groups = (await deps.groups.groupsOfUsers([user.id])).get(user.id) ?? [];
        return json(200, await views.groups(groups));
      },
    }),
    defineRoute<IdParams, { userGroupIds: string[] }>({
      name: 'users.groups.set',
      method: 'PUT',
      path: '/api/users/:id/user-groups',
      auth: 'admin',
      body: 'json',
      schema: { body: userGroupIdsBodySchema },
      tags: ['users'],
      summary: 'Replace the groups of a user (unknown ids are ignored)',
      async handler(req) {
        return json(200, await views.user(await service.setGroups(req.params.id, req.body.userGroupIds)));
      },
    }),
  ];
}

function meRoute(views: AccountViews): RouteDef {
  return defineRoute({
    name: 'users.me',
    method: 'GET',
    path: '/api/users/me',
    auth: 'user',
    tags: ['users'],
    summary: 'The signed-in user',
    async handler(req) {
      return json(200, await views.user(req.auth!.user));
    },
  });
}
