import type {
  NewUserGroup,
  UserGroup,
  UserGroupListCriteria,
  UserGroupPatch,
  UserGroupRepository,
} from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { InferEntity } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { UserEntity } from '../entities/user.entity.js';
import { UserGroupEntity } from '../entities/user-group.entity.js';
import { UserGroupMemberEntity } from '../entities/user-group-member.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { toUniqueViolation } from './unique-violation.js';
import type { UniqueIndex } from './unique-violation.js';
import { likePattern } from './mikro-orm-user.repository.js';
import { groupRows, placeholders, selectAll } from './raw-sql.js';

type GroupRow = InferEntity<typeof UserGroupEntity>;

const GROUP_INDEXES: readonly UniqueIndex[] = [
  { name: 'user_groups_name_unique', column: 'name', field: 'name' },
  { name: 'user_groups_pkey', column: 'id', field: 'id' },
];

const USER_COUNT = raw('(select count(*) from user_group_members m where m.group_id = g.id)');

/**
 * Hand-written SQL: every token issued with `profile` or `groups`, every userinfo call and every
 * group-restricted authorization reads a user's groups (see raw-sql.ts). One row per (user, group), in
 * the groups' order (names are unique; the id only makes the order total).
 */
const groupsOfUsersSql = (
  n: number,
) => `select m.user_id, g.id, g.name, g.friendly_name, g.ldap_id, g.created_at,
g.updated_at from user_group_members m join user_groups g on g.id = m.group_id
where m.user_id in (${placeholders(n)}) order by g.name asc, g.id asc`;

/**
 * User groups and their memberships (`user_group_members`). Reads bypass the identity map; a group's
 * memberships and custom claims go with it through `ON DELETE CASCADE`.
 */
export class MikroOrmUserGroupRepository implements UserGroupRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async findById(id: string): Promise<UserGroup | null> {
    const row = await currentEm(this.orm).findOne(UserGroupEntity, { id }, { disableIdentityMap: true });
    return row ? toDomain(row) : null;
  }

  async count(criteria: UserGroupListCriteria): Promise<number> {
    return this.query(currentEm(this.orm), criteria).getCount();
  }

  async list(criteria: UserGroupListCriteria, offset: number, limit: number): Promise<UserGroup[]> {
    const em = currentEm(this.orm);
    const qb = this.query(em, criteria).select('g.id').offset(offset).limit(limit);
    const direction = criteria.sort?.direction ?? 'asc';
    const column = criteria.sort?.column;
    if (column === 'userCount') qb.orderBy([{ [USER_COUNT]: direction }, { id: 'asc' }]);
    else if (column === 'name' || column === 'friendlyName') {
      // Text sorts ignore case, so both engines (and any PostgreSQL collation) give the same order.
      qb.orderBy([
        { [raw(`lower(g.${column === 'name' ? 'name' : 'friendly_name'})`)]: direction },
        { id: 'asc' },
      ]);
    } else qb.orderBy([{ createdAt: column === 'createdAt' ? direction : 'asc' }, { id: 'asc' }]);
    const ids = (await qb.execute<{ id: string }[]>('all')).map((r) => r.id);
    const rows = await em.find(UserGroupEntity, { id: { $in: ids } }, { disableIdentityMap: true });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => (byId.has(id) ? [toDomain(byId.get(id)!)] : []));
  }

  async memberCounts(groupIds: string[]): Promise<Map<string, number>> {
    if (groupIds.length === 0) return new Map();
    const rows = await currentEm(this.orm)
      .createQueryBuilder(UserGroupMemberEntity, 'm')
      .select(['m.group_id', raw('count(*) as n')])
      .where({ groupId: { $in: groupIds } })
      .groupBy('m.group_id')
      .execute<{ groupId?: string; group_id?: string; n: number | string }[]>('all');
    return new Map(rows.map((r) => [(r.groupId ?? r.group_id)!, Number(r.n)]));
  }

  async insert(group: NewUserGroup): Promise<UserGroup> {
    const now = new Date();
    const row: GroupRow = {
      id: group.id,
      name: group.name,
      friendlyName: group.friendlyName,
      ldapId: group.ldapId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await currentEm(this.orm).insert(UserGroupEntity, row);
    } catch (err) {
      throw toUniqueViolation(err, 'user_groups', GROUP_INDEXES);
    }
    return toDomain(row);
  }

  async update(id: string, patch: UserGroupPatch): Promise<UserGroup | null> {
    const data: Partial<GroupRow> = { updatedAt: new Date() };
    if (patch.name !== undefined) data.name = patch.name;
    if (patch.friendlyName !== undefined) data.friendlyName = patch.friendlyName;
    try {
      return await inTransaction(this.orm, async (em) => {
        const changed = await em.nativeUpdate(UserGroupEntity, { id }, data);
        if (changed === 0) return null;
        const row = await em.findOne(UserGroupEntity, { id }, { disableIdentityMap: true });
        return row ? toDomain(row) : null;
      });
    } catch (err) {
      throw toUniqueViolation(err, 'user_groups', GROUP_INDEXES);
    }
  }

  async delete(id: string): Promise<boolean> {
    return (await currentEm(this.orm).nativeDelete(UserGroupEntity, { id })) > 0;
  }

  async memberIds(groupId: string): Promise<string[]> {
    const rows = await currentEm(this.orm).find(
      UserGroupMemberEntity,
      { groupId },
      { disableIdentityMap: true, fields: ['userId'] },
    );
    return rows.map((r) => r.userId);
  }

  async groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>> {
    if (userIds.length === 0) return new Map();
    const ids = [...new Set(userIds)];
    const rows = await selectAll<GroupRow & { user_id: string }>(
      this.orm,
      UserGroupEntity,
      groupsOfUsersSql(ids.length),
      ids,
    );
    return groupRows(rows, (row) => row.user_id, toDomain);
  }

  async setMembers(groupId: string, userIds: string[]): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeDelete(UserGroupMemberEntity, { groupId });
      const existing = await existingIds(em, UserEntity, userIds);
      if (existing.length > 0) {
        await em.insertMany(
          UserGroupMemberEntity,
          existing.map((userId) => ({ userId, groupId })),
        );
      }
    });
  }

  async setGroupsOfUser(userId: string, groupIds: string[]): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeDelete(UserGroupMemberEntity, { userId });
      const existing = await existingIds(em, UserGroupEntity, groupIds);
      if (existing.length > 0) {
        await em.insertMany(
          UserGroupMemberEntity,
          existing.map((groupId) => ({ userId, groupId })),
        );
      }
    });
  }

  private query(em: SqlEntityManager, criteria: UserGroupListCriteria) {
    const qb = em.createQueryBuilder(UserGroupEntity, 'g');
    if (criteria.search) qb.where(`lower(g.name) like ? escape '!'`, [likePattern(criteria.search)]);
    return qb;
  }
}

/** The ids among `ids` that exist in the entity's table: unknown ids are ignored, as Pocket ID does. */
async function existingIds(
  em: SqlEntityManager,
  entity: typeof UserEntity | typeof UserGroupEntity,
  ids: string[],
): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await em.find(
    entity as typeof UserGroupEntity,
    { id: { $in: unique } },
    {
      disableIdentityMap: true,
      fields: ['id'],
    },
  );
  return rows.map((r) => r.id);
}

function toDomain(row: GroupRow): UserGroup {
  return {
    id: row.id,
    name: row.name,
    friendlyName: row.friendlyName,
    ldapId: row.ldapId ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
