import { defineEntity, p } from '@mikro-orm/core';
import { UserEntity } from './user.entity.js';
import { UserGroupEntity } from './user-group.entity.js';

export const UserGroupMemberEntity = defineEntity({
  name: 'UserGroupMember',
  tableName: 'user_group_members',
  properties: {
    userId: () => p.manyToOne(UserEntity).mapToPk().primary().joinColumn('user_id').deleteRule('cascade'),
    groupId: () =>
      p.manyToOne(UserGroupEntity).mapToPk().primary().joinColumn('group_id').deleteRule('cascade').index(),
  },
  primaryKeys: ['userId', 'groupId'],
});
