import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { UserEntity } from './user.entity.js';

/** Proof of a fresh passkey ceremony (Pocket ID: 3 minutes), consumed by sensitive steps. */
export const ReauthenticationTokenEntity = defineEntity({
  name: 'ReauthenticationToken',
  tableName: 'reauthentication_tokens',
  properties: {
    tokenHash: p.string().primary(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    createdAt: createdAt(),
    expiresAt: p.datetime(),
  },
});
