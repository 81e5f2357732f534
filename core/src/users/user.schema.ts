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
