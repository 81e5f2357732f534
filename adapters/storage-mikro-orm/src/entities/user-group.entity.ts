import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.js';

export const UserGroupEntity = defineEntity({
  name: 'UserGroup',
  tableName: 'user_groups',
  properties: {
    id: uuidPk(),
    name: p.string().unique(),
    friendlyName: p.string(),
    ldapId: p.string().nullable().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
