import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';

/** Pocket ID §4.7: only the key's SHA-256 hex is stored. */
export const ApiKeyEntity = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: uuidPk(),
    name: p.string(),
    description: p.text().nullable(),
    keyHash: p.string().unique(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    expiresAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    expirationEmailSent: p.boolean().default(false),
    createdAt: createdAt(),
  },
});
