import { randomUUID } from 'node:crypto';
import type { LatchkeyOrm } from '../orm.js';
import { run, selectOne, type SqlTarget } from './raw-sql.js';
import { KvEntity } from '../entities/kv.entity.js';
import { unitOfWorkMemo } from '../unit-of-work.js';

/**
 * An in-process cache of rows that every request reads and few requests change, kept correct across
 * instances by a revision stamp in the database.
 *
 * Every write to the cached tables stores a fresh random revision under `key` in the `kv` table, in the
 * same transaction as the write (`bump`). Each unit of work (request) reads the revision once (one
 * primary-key lookup on a cached statement, a few µs) and drops the whole cache when it differs from the
 * one the entries were read under. So a request never starts from an entry older than the last change
 * committed before it, whichever instance made it; within one request, later reads are no more atomic
 * than two separate statements were. A rolled-back write leaves a revision nobody will see again, which
 * only costs a refill.
 *
 * Entries are frozen (shared between requests) and bounded; the oldest goes first.
 */
export class RevisionCache<T> {
  private revision: string | null = null;
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly orm: LatchkeyOrm,
    private readonly key: string,
    private readonly maxEntries = 1_000,
  ) {}

  /**
   * The entry for `id`, read with `load` (and kept, unless null) when missing or stale. A hit once this
   * unit of work has read the revision (the second cached read of a request: a client's secrets after
   * the client) answers with one settled promise, without the async chain of a miss.
   */
  get(id: string, load: () => Promise<T | null>): Promise<T | null> {
    const known = unitOfWorkMemo()?.get(this.key);
    if (known !== undefined && known === this.revision) {
      const hit = this.entries.get(id);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    return this.read(id, load);
  }

  private async read(id: string, load: () => Promise<T | null>): Promise<T | null> {
    const revision = await this.currentRevision();
    if (revision !== this.revision) {
      this.entries.clear();
      this.revision = revision;
    }
    const hit = this.entries.get(id);
    if (hit !== undefined) return hit;
    const loaded = await load();
    // Kept only while the revision it was read under is still the one this cache holds.
    if (loaded !== null && this.revision === revision) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, deepFreeze(loaded));
    }
    return loaded;
  }

  /** Marks the cached rows changed; run it in the transaction of the write. */
  async bump(target: SqlTarget): Promise<void> {
    await bumpRevision(target, this.key);
    // This instance need not wait for its own next read to notice.
    this.entries.clear();
    this.revision = null;
  }

  /**
   * Read once per unit of work: a request that reads the client and then its secrets checks once, as
   * its two reads were never one snapshot anyway. A transaction reads afresh, and so does the unit of
   * work after its own bump.
   */
  private async currentRevision(): Promise<string> {
    const memo = unitOfWorkMemo();
    const known = memo?.get(this.key);
    if (known !== undefined) return known;
    const row = await selectOne<{ value: string }>(this.orm, KvEntity, READ, [this.key]);
    // Never written yet: a constant, until the first change writes a random one.
    const revision = row?.value ?? '';
    memo?.set(this.key, revision);
    return revision;
  }
}

/**
 * The `kv` key of the OIDC clients' revision (their rows and secrets). Bumped by every write of the
 * client repository, and by a user's deletion, which clears `created_by_id` of the clients they
 * created (ON DELETE SET NULL).
 */
export const CLIENTS_REVISION = 'cache.oidc_clients.revision';

const READ = `select value from kv where key = ?`;
const BUMP = `insert into kv (key, value) values (?, ?) on conflict (key) do update set value = excluded.value`;

/** Writes a fresh revision under `key`: every instance's cache of it refills on its next read. */
export async function bumpRevision(target: SqlTarget, key: string): Promise<void> {
  await run(target, BUMP, [key, randomUUID()]);
  unitOfWorkMemo()?.delete(key);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
