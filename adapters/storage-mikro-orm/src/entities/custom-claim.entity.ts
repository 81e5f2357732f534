import { defineEntity, p } from '@mikro-orm/core';
import { uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';
import { UserGroupEntity } from './user-group.entity.js';

/**
 * A claim belongs to exactly one user or one group; the repository guarantees that (a CHECK would be
 * invisible to MikroORM 6.6's SQLite schema diff, which would then re-add it in every migration).
 * Pocket ID declares unique (key, user_id, user_group_id), but NULLs are distinct in a unique index on
 * both engines, so that never fires; one unique index per owner column does what it meant.
 */
export const CustomClaimEntity = defineEntity({
  name: 'CustomClaim',
  tableName: 'custom_claims',
  properties: {
    id: uuidPk(),
    key: p.string(),
    value: p.text(),
    userId: () => p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('cascade'),
    groupId: () =>
      p.manyToOne(UserGroupEntity).mapToPk().nullable().joinColumn('group_id').deleteRule('cascade'),
  },
  uniques: [
    { name: 'custom_claims_user_id_key_unique', properties: ['userId', 'key'] },
    { name: 'custom_claims_group_id_key_unique', properties: ['groupId', 'key'] },
  ],
});
