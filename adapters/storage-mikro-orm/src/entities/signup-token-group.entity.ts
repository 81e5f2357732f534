import { defineEntity, p } from '@mikro-orm/core';
import { SignupTokenEntity } from './signup-token.entity.js';
import { UserGroupEntity } from './user-group.entity.js';

/** Groups a user who signs up with the token joins. */
export const SignupTokenGroupEntity = defineEntity({
  name: 'SignupTokenGroup',
  tableName: 'signup_token_groups',
  properties: {
    tokenId: () =>
      p.manyToOne(SignupTokenEntity).mapToPk().primary().joinColumn('token_id').deleteRule('cascade'),
    groupId: () =>
      p.manyToOne(UserGroupEntity).mapToPk().primary().joinColumn('group_id').deleteRule('cascade').index(),
  },
  primaryKeys: ['tokenId', 'groupId'],
});
