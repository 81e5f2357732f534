import { takeToken, type RateLimitStore, type RatePolicy, type TakeResult } from '@latchkey/core';
import { LockMode, type QueryResult } from '@mikro-orm/core';
import { RateLimitCounterEntity } from '../entities/rate-limit-counter.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { inTransaction } from '../unit-of-work.js';

/** Creates the bucket full if it is missing, so the locked read below always finds a row. */
const ENSURE = `insert into rate_limit_counters (key, tokens, updated_at) values (?, ?, ?) on conflict (key) do nothing`;

/**
 * Token buckets shared by every instance: read, refill and take inside one transaction, with the row
 * locked on PostgreSQL (`select … for update`) so concurrent takes on any instance queue up. SQLite
 * needs no row lock: better-sqlite3 runs one transaction at a time per process, and a SQLite database
 * serves a single instance.
 */
export class MikroOrmRateLimitStore implements RateLimitStore {
  constructor(
    private readonly orm: LatchkeyOrm,
    private readonly dialect: 'sqlite' | 'postgresql',
  ) {}

  take(key: string, policy: RatePolicy, now: Date): Promise<TakeResult> {
    return inTransaction(this.orm, async (em) => {
      await em.execute<QueryResult>(ENSURE, [key, policy.burst, now], 'run');
      const row = await em.findOneOrFail(
        RateLimitCounterEntity,
        { key },
        {
          disableIdentityMap: true,
          ...(this.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}),
        },
      );
      const result = takeToken(
        { tokens: row.tokens, updatedAt: row.updatedAt.getTime() },
        policy,
        now.getTime(),
      );
      await em.nativeUpdate(
        RateLimitCounterEntity,
        { key },
        { tokens: result.bucket.tokens, updatedAt: now },
      );
      return result;
    });
  }

  deleteIdle(before: Date): Promise<number> {
    return this.orm.em.fork().nativeDelete(RateLimitCounterEntity, { updatedAt: { $lt: before } });
  }
}
