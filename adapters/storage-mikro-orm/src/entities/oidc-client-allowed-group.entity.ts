import { defineEntity, p } from '@mikro-orm/core';
import { OidcClientEntity } from './oidc-client.entity.js';
import { UserGroupEntity } from './user-group.entity.js';

export const OidcClientAllowedGroupEntity = defineEntity({
  name: 'OidcClientAllowedGroup',
  tableName: 'oidc_client_allowed_groups',
  properties: {
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().primary().joinColumn('client_id').deleteRule('cascade'),
    groupId: () =>
      p.manyToOne(UserGroupEntity).mapToPk().primary().joinColumn('group_id').deleteRule('cascade').index(),
  },
  primaryKeys: ['clientId', 'groupId'],
});
