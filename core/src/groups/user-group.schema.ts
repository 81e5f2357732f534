/** The body of `POST /api/user-groups` and `PUT /api/user-groups/:id` (pocket-id-api.md §4.4). */
export const userGroupBodySchema = {
  type: 'object',
  required: ['friendlyName', 'name'],
  properties: {
    friendlyName: { type: 'string', minLength: 2, maxLength: 50 },
    name: { type: 'string', minLength: 2, maxLength: 255 },
  },
} as const;

export interface UserGroupBody {
  friendlyName: string;
  name: string;
}

/** `PUT /api/user-groups/:id/users`. */
export const userIdsBodySchema = {
  type: 'object',
  required: ['userIds'],
  properties: { userIds: { type: 'array', items: { type: 'string' } } },
} as const;
