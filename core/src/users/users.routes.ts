import { json } from '../http/render.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { toUserDto } from './user.dto.js';

/** `/api/users/me`: the signed-in user (pocket-id-api.md §4.3). The admin CRUD joins here. */
export function userRoutes(): RouteDef[] {
  return [
    defineRoute({
      name: 'users.me',
      method: 'GET',
      path: '/api/users/me',
      auth: 'user',
      tags: ['users'],
      summary: 'The signed-in user',
      async handler(req) {
        return json(200, toUserDto(req.auth!.user));
      },
    }),
  ];
}
