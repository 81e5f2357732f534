import type { AppConfigRepository } from '@latchkey/core';
import { AppConfigEntity } from '../entities/app-config.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';

export class MikroOrmAppConfigRepository implements AppConfigRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async getAll(): Promise<Record<string, string>> {
    const rows = await currentEm(this.orm).find(AppConfigEntity, {}, { disableIdentityMap: true });
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Delete and insert in one transaction: readers see the old set or the new one, never a mix. */
  async replaceAll(values: Record<string, string>): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeDelete(AppConfigEntity, {});
      const rows = Object.entries(values).map(([key, value]) => ({ key, value }));
      if (rows.length > 0) await em.insertMany(AppConfigEntity, rows);
    });
  }
}
