import { randomUUID } from 'node:crypto';
import type { ClaimOwner, CustomClaim, CustomClaimRepository } from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { InferEntity } from '@mikro-orm/core';
import { CustomClaimEntity } from '../entities/custom-claim.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { placeholders, selectAll } from './raw-sql.js';

type ClaimRow = InferEntity<typeof CustomClaimEntity>;

const ownerWhere = (owner: ClaimOwner) =>
  'userId' in owner ? { userId: owner.userId } : { groupId: owner.groupId };

/**
 * Custom claims of users and groups (`custom_claims`, exactly one owner per row). A set is replaced
 * as a whole: delete then insert, in the caller's transaction (or one of its own).
 */
export class MikroOrmCustomClaimRepository implements CustomClaimRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async list(owner: ClaimOwner): Promise<CustomClaim[]> {
    const rows = await currentEm(this.orm).find(CustomClaimEntity, ownerWhere(owner), {
      disableIdentityMap: true,
      orderBy: { key: 'asc' },
    });
    return rows.map((r) => ({ key: r.key, value: r.value }));
  }

  async listMany(owners: { userIds?: string[]; groupIds?: string[] }) {
    const users = new Map<string, CustomClaim[]>();
    const groups = new Map<string, CustomClaim[]>();
    const userIds = [...new Set(owners.userIds ?? [])];
    const groupIds = [...new Set(owners.groupIds ?? [])];
    const or = [
      ...(userIds.length > 0 ? [`user_id in (${placeholders(userIds.length)})`] : []),
      ...(groupIds.length > 0 ? [`group_id in (${placeholders(groupIds.length)})`] : []),
    ];
    if (or.length === 0) return { users, groups };
    // Hand-written SQL: read for every token issued with `profile` and every userinfo call (raw-sql.ts).
    const rows = await selectAll<ClaimRow>(
      this.orm,
      CustomClaimEntity,
      `select key, value, user_id, group_id from custom_claims where ${or.join(' or ')} order by key asc`,
      [...userIds, ...groupIds],
    );
    for (const row of rows) {
      const [map, id] = row.userId ? [users, row.userId] : [groups, row.groupId!];
      const list = map.get(id) ?? [];
      list.push({ key: row.key, value: row.value });
      map.set(id, list);
    }
    return { users, groups };
  }

  async replace(owner: ClaimOwner, claims: CustomClaim[]): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeDelete(CustomClaimEntity, ownerWhere(owner));
      if (claims.length === 0) return;
      await em.insertMany(
        CustomClaimEntity,
        claims.map((c) => ({
          id: randomUUID(),
          key: c.key,
          value: c.value,
          userId: 'userId' in owner ? owner.userId : null,
          groupId: 'groupId' in owner ? owner.groupId : null,
        })),
      );
    });
  }

  async keysByUse(): Promise<string[]> {
    const rows = await currentEm(this.orm)
      .createQueryBuilder(CustomClaimEntity, 'c')
      .select(['c.key', raw('count(*) as uses')])
      .groupBy('c.key')
      .orderBy([{ [raw('count(*)')]: 'desc' }, { key: 'asc' }])
      .execute<{ key: string }[]>('all');
    return rows.map((r) => r.key);
  }
}
