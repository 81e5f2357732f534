import type { KvStore } from '@latchkey/core';
import { KvEntity } from '../entities/kv.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

/** Queries go straight to the table, past the identity map: another instance may have written since. */
export class MikroOrmKvRepository implements KvStore {
  constructor(private readonly orm: LatchkeyOrm) {}

  async get(key: string): Promise<string | null> {
    const row = await currentEm(this.orm)
      .createQueryBuilder(KvEntity)
      .select('value')
      .where({ key })
      .execute('get');
    return row?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    await currentEm(this.orm)
      .createQueryBuilder(KvEntity)
      .insert({ key, value })
      .onConflict('key')
      .merge(['value'])
      .execute('run');
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    // `insert … on conflict do nothing` is atomic on both engines; the affected-row count says who won.
    const res = await currentEm(this.orm)
      .createQueryBuilder(KvEntity)
      .insert({ key, value })
      .onConflict('key')
      .ignore()
      .execute('run');
    return res.affectedRows === 1;
  }

  async delete(key: string): Promise<void> {
    await currentEm(this.orm).nativeDelete(KvEntity, { key });
  }
}
