import type {
  NewSignupToken,
  SignupToken,
  SignupTokenRepository,
  SignupTokenSortColumn,
} from '@latchkey/core';
import type { InferEntity, QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { SignupTokenGroupEntity } from '../entities/signup-token-group.entity.js';
import { SignupTokenEntity } from '../entities/signup-token.entity.js';
import { UserGroupEntity } from '../entities/user-group.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';

type TokenRow = InferEntity<typeof SignupTokenEntity>;

/**
 * One use of a token in one statement: the row lock PostgreSQL takes re-checks the condition after a
 * concurrent update commits, and SQLite writes one at a time, so `affectedRows` never lets more uses
 * through than the limit.
 */
const USE = `update signup_tokens set usage_count = usage_count + 1
where token_hash = ? and usage_count < usage_limit and expires_at > ?`;

/** Signup tokens and the groups their users join (`signup_token_groups`). */
export class MikroOrmSignupTokenRepository implements SignupTokenRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  insert(token: NewSignupToken): Promise<SignupToken> {
    return inTransaction(this.orm, async (em) => {
      const row: TokenRow = {
        id: token.id,
        tokenHash: token.tokenHash,
        expiresAt: token.expiresAt,
        usageLimit: token.usageLimit,
        usageCount: 0,
        createdAt: new Date(),
      };
      await em.insert(SignupTokenEntity, row);
      const wanted = [...new Set(token.userGroupIds)];
      const existing =
        wanted.length === 0
          ? []
          : (
              await em.find(
                UserGroupEntity,
                { id: { $in: wanted } },
                { fields: ['id'], disableIdentityMap: true },
              )
            ).map((g) => g.id);
      if (existing.length > 0) {
        await em.insertMany(
          SignupTokenGroupEntity,
          existing.map((groupId) => ({ tokenId: token.id, groupId })),
        );
      }
      return toDomain(
        row,
        wanted.filter((id) => existing.includes(id)),
      );
    });
  }

  count(): Promise<number> {
    return currentEm(this.orm).count(SignupTokenEntity, {});
  }

  async list(options: {
    offset: number;
    limit: number;
    sort?: { column: SignupTokenSortColumn; direction: 'asc' | 'desc' };
  }): Promise<SignupToken[]> {
    const orderBy = [
      ...(options.sort ? [{ [options.sort.column]: options.sort.direction }] : []),
      { createdAt: 'asc' as const },
      { id: 'asc' as const },
    ];
    const em = currentEm(this.orm);
    const rows = await em.find(
      SignupTokenEntity,
      {},
      { orderBy, offset: options.offset, limit: options.limit, disableIdentityMap: true },
    );
    return withGroups(em, rows);
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.orm, async (em) => {
      await em.nativeDelete(SignupTokenGroupEntity, { tokenId: id });
      return (await em.nativeDelete(SignupTokenEntity, { id })) === 1;
    });
  }

  async use(tokenHash: string, now: Date): Promise<SignupToken | null> {
    const em = currentEm(this.orm);
    const res = await em.execute<QueryResult>(USE, [tokenHash, now], 'run');
    if (res.affectedRows !== 1) return null;
    const row = await em.findOne(SignupTokenEntity, { tokenHash }, { disableIdentityMap: true });
    if (!row) return null;
    return (await withGroups(em, [row]))[0]!;
  }
}

async function withGroups(em: SqlEntityManager, rows: TokenRow[]): Promise<SignupToken[]> {
  if (rows.length === 0) return [];
  const links = await em.find(
    SignupTokenGroupEntity,
    { tokenId: { $in: rows.map((r) => r.id) } },
    { disableIdentityMap: true },
  );
  const byToken = new Map<string, string[]>();
  for (const link of links) {
    const list = byToken.get(link.tokenId) ?? [];
    list.push(link.groupId);
    byToken.set(link.tokenId, list);
  }
  return rows.map((r) => toDomain(r, byToken.get(r.id) ?? []));
}

function toDomain(row: TokenRow, userGroupIds: string[]): SignupToken {
  return {
    id: row.id,
    tokenHash: row.tokenHash,
    expiresAt: row.expiresAt,
    usageLimit: row.usageLimit,
    usageCount: row.usageCount,
    userGroupIds,
    createdAt: row.createdAt,
  };
}
