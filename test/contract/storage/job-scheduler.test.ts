import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobScheduler, silentLogger } from '@latchkey/core';
import { createMikroOrmStorage, type MikroOrmStorage } from '@latchkey/storage-mikro-orm';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../../support/databases.js';

/** Singleton jobs run on one instance at a time: two schedulers, two storages, one database. */
describe.each(['sqlite', 'postgres'] as const)('JobScheduler on %s', (dialect) => {
  let db: TestDatabase | undefined;
  const storages: MikroOrmStorage[] = [];

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    db = await createTestDatabase(dialect);
    for (let i = 0; i < 2; i++) {
      storages.push(await createMikroOrmStorage({ connectionString: db.connectionString, migrate: true }));
    }
  });
  afterAll(async () => {
    for (const s of storages) await s.database.close();
    await db?.drop();
  });

  function schedulerOn(storage: MikroOrmStorage, runs: string[], name: string) {
    const scheduler = new JobScheduler({
      locks: storage.jobLocks,
      database: storage.database,
      logger: silentLogger,
    });
    scheduler.schedule({
      id: 'cleanup',
      every: '1h',
      singleton: true,
      run: async () => void runs.push(name),
    });
    scheduler.schedule({ id: 'local', every: '1h', run: async () => void runs.push(`${name}:local`) });
    return scheduler;
  }

  it('runs a singleton job on one instance only, until that instance stops', async ({ skip }) => {
    if (!db) return skip();
    const runs: string[] = [];
    const a = schedulerOn(storages[0]!, runs, 'a');
    const b = schedulerOn(storages[1]!, runs, 'b');
    expect(await a.runNow('cleanup')).toBe(true);
    expect(await b.runNow('cleanup')).toBe(false);
    expect(await a.runNow('cleanup')).toBe(true); // the holder renews its lease
    // a job without `singleton` runs everywhere
    expect(await b.runNow('local')).toBe(true);
    await a.stop(); // releases the lease
    expect(await b.runNow('cleanup')).toBe(true);
    expect(runs).toEqual(['a', 'a', 'b:local', 'b']);
    await b.stop();
  });

  it('logs a failing job and keeps the scheduler alive', async ({ skip }) => {
    if (!db) return skip();
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => void errors.push(o) };
    const s = new JobScheduler({ locks: storages[0]!.jobLocks, database: storages[0]!.database, logger });
    s.schedule({ id: 'broken', every: '1h', run: async () => Promise.reject(new Error('boom')) });
    expect(await s.runNow('broken')).toBe(false);
    expect(errors).toHaveLength(1);
    await s.stop();
  });
});
