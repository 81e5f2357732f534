import type { Consent, ConsentRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ConsentEntity } from '../entities/consent.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';

type ConsentRow = InferEntity<typeof ConsentEntity>;

/**
 * Creates the consent, or stamps an existing one. Either way the statement leaves this transaction
 * holding the row's lock (PostgreSQL: the inserted row, or `do update` locks the existing one; a
 * concurrent first insert waits on the primary key and then takes the update path) or SQLite's write
 * lock, so the read-merge-write that follows cannot interleave with another grant.
 */
const UPSERT = `insert into consents (user_id, client_id, scopes, created_at, last_used_at) values (?, ?, ?, ?, ?)
on conflict (user_id, client_id) do update set last_used_at = excluded.last_used_at`;
const FIND = `select user_id, client_id, scopes, created_at, last_used_at from consents
where user_id = ? and client_id = ?`;
const SET_SCOPES = `update consents set scopes = ? where user_id = ? and client_id = ?`;

/**
 * Consents, one row per (user, client). `grant` merges scopes as a set union that keeps the stored
 * order and appends new scopes in the order given; concurrent grants for one pair never lose a scope.
 */
export class MikroOrmConsentRepository implements ConsentRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async find(userId: string, clientId: string): Promise<Consent | null> {
    const row = await selectOne<ConsentRow>(this.orm, ConsentEntity, FIND, [userId, clientId]);
    return row ? toDomain(row) : null;
  }

  async grant(userId: string, clientId: string, scopes: string[], now: Date): Promise<Consent> {
    const requested = [...new Set(scopes)];
    return inTransaction(this.orm, async (em) => {
      await run(em, UPSERT, [userId, clientId, JSON.stringify(requested), now, now]);
      const row = await selectOne<ConsentRow>(em, ConsentEntity, FIND, [userId, clientId]);
      if (!row) throw new Error(`consent (${userId}, ${clientId}) vanished inside its own transaction`);
      const stored = parseJson<string[]>(row.scopes);
      const merged = [...new Set([...stored, ...requested])];
      if (merged.length !== stored.length || merged.some((s, i) => s !== stored[i])) {
        await run(em, SET_SCOPES, [JSON.stringify(merged), userId, clientId]);
      }
      return toDomain({ ...row, scopes: merged, lastUsedAt: now });
    });
  }

  async revoke(userId: string, clientId: string): Promise<boolean> {
    return (await currentEm(this.orm).nativeDelete(ConsentEntity, { userId, clientId })) > 0;
  }
}

function toDomain(row: ConsentRow): Consent {
  return {
    userId: row.userId,
    clientId: row.clientId,
    scopes: [...parseJson<string[]>(row.scopes)],
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt ?? null,
  };
}
