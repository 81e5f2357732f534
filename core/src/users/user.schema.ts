/** Pocket ID's username rule (pocket-id-api.md §4.3). */
export const USERNAME_PATTERN = '^[a-zA-Z0-9]([a-zA-Z0-9_.@-]*[a-zA-Z0-9])?$';

/** The body of first-admin setup and signup (Pocket ID's SignUpDto). */
export const signUpBodySchema = {
  type: 'object',
  required: ['username'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 50, pattern: USERNAME_PATTERN },
    email: { type: ['string', 'null'], format: 'email', maxLength: 254 },
    firstName: { type: 'string', maxLength: 50 },
    lastName: { type: ['string', 'null'], maxLength: 50 },
    token: { type: 'string' },
  },
} as const;

export interface SignUpBody {
  username: string;
  email?: string | null;
  firstName?: string;
  lastName?: string | null;
  token?: string;
}

/** The body of `POST /api/users`, `PUT /api/users/:id` and `PUT /api/users/me` (UserCreateDto, §4.3). */
export const userBodySchema = {
  type: 'object',
  required: ['username'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string', minLength: 1, maxLength: 50, pattern: USERNAME_PATTERN },
    email: { type: ['string', 'null'], format: 'email', maxLength: 254 },
    emailVerified: { type: 'boolean' },
    firstName: { type: 'string', maxLength: 50 },
    lastName: { type: ['string', 'null'], maxLength: 50 },
    displayName: { type: 'string', maxLength: 100 },
    isAdmin: { type: 'boolean' },
    locale: { type: ['string', 'null'], maxLength: 35 },
    disabled: { type: 'boolean' },
    userGroupIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

export interface UserBody {
  id?: string;
  username: string;
  email?: string | null;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string | null;
  displayName?: string;
  isAdmin?: boolean;
  locale?: string | null;
  disabled?: boolean;
  userGroupIds?: string[];
}

/** `PUT /api/users/:id/user-groups`. */
export const userGroupIdsBodySchema = {
  type: 'object',
  required: ['userGroupIds'],
  properties: { userGroupIds: { type: 'array', items: { type: 'string' } } },
} as const;
