/** The body of `PUT /api/custom-claims/…`: the whole set, as a JSON array (pocket-id-api.md §4.5). */
export const customClaimsBodySchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['key', 'value'],
    properties: {
      key: { type: 'string', minLength: 1, maxLength: 255 },
      value: { type: 'string', minLength: 1 },
    },
  },
} as const;

export type CustomClaimsBody = { key: string; value: string }[];
