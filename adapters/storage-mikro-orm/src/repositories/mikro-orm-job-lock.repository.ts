import type { JobLockRepository } from '@latchkey/core';
import type { QueryResult } from '@mikro-orm/core';
import { JobLockEntity } from '../entities/job-lock.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

/**
 * One statement decides who holds a lease, so two instances can never both win: insert the lease, or
 * take it over only when it has expired or is already ours. SQLite (3.24+) and PostgreSQL share this
 * upsert syntax; a `where` that rejects the update leaves zero affected rows on both.
 * Times come from this process's clock, as every other expiry in Latchkey does.
 */
const TRY_ACQUIRE = `insert into job_locks (name, owner, expires_at) values (?, ?, ?)
on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at
where job_locks.owner = excluded.owner or job_locks.expires_at <= ?`;

export class MikroOrmJobLockRepository implements JobLockRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const res = await currentEm(this.orm).execute<QueryResult>(
      TRY_ACQUIRE,
      [name, owner, expiresAt, now],
      'run',
    );
    return res.affectedRows === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await currentEm(this.orm).nativeDelete(JobLockEntity, { name, owner });
  }
}
