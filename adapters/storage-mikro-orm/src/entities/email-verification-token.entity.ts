import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { UserEntity } from './user.entity.js';

/** Pocket ID's `email_verification_tokens`: proves a user reads the address they entered. */
export const EmailVerificationTokenEntity = defineEntity({
  name: 'EmailVerificationToken',
  tableName: 'email_verification_tokens',
  properties: {
    tokenHash: p.string().primary(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
