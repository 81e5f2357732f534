import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';

export const SignupTokenEntity = defineEntity({
  name: 'SignupToken',
  tableName: 'signup_tokens',
  properties: {
    id: uuidPk(),
    tokenHash: p.string().unique(),
    expiresAt: p.datetime(),
    usageLimit: p.integer(),
    usageCount: p.integer().default(0),
    createdAt: createdAt(),
  },
});
