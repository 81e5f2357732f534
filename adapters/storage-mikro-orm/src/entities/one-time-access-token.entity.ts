import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { UserEntity } from './user.entity.js';

/** A login code (Pocket ID §4.6). A code sent by email is bound to the requesting browser's device token. */
export const OneTimeAccessTokenEntity = defineEntity({
  name: 'OneTimeAccessToken',
  tableName: 'one_time_access_tokens',
  properties: {
    tokenHash: p.string().primary(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    deviceTokenHash: p.string().nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
