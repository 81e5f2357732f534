import { json } from '../http/render.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { customClaimsBodySchema, type CustomClaimsBody } from './custom-claim.schema.js';
import type { CustomClaimService } from './custom-claim.service.js';

/** Custom claims of users and groups (pocket-id-api.md §4.5); each PUT replaces the whole set. */
export function customClaimRoutes(deps: { service: CustomClaimService }): RouteDef[] {
  const { service } = deps;
  return [
    defineRoute({
      name: 'custom-claims.suggestions',
      method: 'GET',
      path: '/api/custom-claims/suggestions',
      auth: 'admin',
      tags: ['custom-claims'],
      summary: 'Claim keys in use, most used first',
      async handler() {
        return json(200, await service.suggestions());
      },
    }),
    defineRoute<{ userId: string }, CustomClaimsBody>({
      name: 'custom-claims.user.set',
      method: 'PUT',
      path: '/api/custom-claims/user/:userId',
      auth: 'admin',
      body: 'json',
      schema: { body: customClaimsBodySchema },
      tags: ['custom-claims'],
      summary: 'Replace the custom claims of a user',
      async handler(req) {
        return json(200, await service.replace({ userId: req.params.userId }, req.body));
      },
    }),
    defineRoute<{ userGroupId: string }, CustomClaimsBody>({
      name: 'custom-claims.user-group.set',
      method: 'PUT',
      path: '/api/custom-claims/user-group/:userGroupId',
      auth: 'admin',
      body: 'json',
      schema: { body: customClaimsBodySchema },
      tags: ['custom-claims'],
      summary: 'Replace the custom claims of a user group',
      async handler(req) {
        return json(200, await service.replace({ groupId: req.params.userGroupId }, req.body));
      },
    }),
  ];
}
