import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMikroOrmStorage, type MikroOrmStorage } from './index.js';
import { BACKSTOP_PAGES } from './sqlite-checkpointer.js';

/** Polls `check` until it holds or the deadline passes (no fixed sleeps). */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe('background WAL checkpoints (SQLite)', () => {
  let dir: string;
  let storage: MikroOrmStorage | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latchkey-checkpoint-'));
  });
  afterEach(async () => {
    await storage?.database.close();
    storage = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('moves committed pages into the database file while the connection never checkpoints', async () => {
    const path = join(dir, 'latchkey.db');
    storage = await createMikroOrmStorage({ connectionString: path, migrate: true });
    const s = storage;
    const conn = s.orm.em.getConnection();
    // The connection's own checkpoint is only the backstop, far above what this test writes.
    expect(await conn.execute('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: BACKSTOP_PAGES }]);

    const marker = `marker-${randomUUID()}`;
    for (let i = 0; i < 50; i++) {
      await s.database.withScope(() => s.kv.set(`k${i}`, `${marker}-${i}`));
    }
    // Committed, so in the WAL at once; in the database file only once a checkpoint copied it.
    const inFile = async () => (await readFile(path)).includes(`${marker}-49`);
    expect(await eventually(inFile)).toBe(true);
    expect(await s.database.withScope(() => s.kv.get('k49'))).toBe(`${marker}-49`);
  });

  it('leaves other journal modes and in-memory databases to SQLite', async () => {
    const path = join(dir, 'rollback.db');
    storage = await createMikroOrmStorage({
      connectionString: `file:${path}?_journal_mode=DELETE`,
      migrate: true,
    });
    const s = storage;
    const conn = s.orm.em.getConnection();
    expect(await conn.execute('pragma journal_mode')).toEqual([{ journal_mode: 'delete' }]);
    expect(await conn.execute('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 1000 }]);
    await s.database.withScope(() => s.kv.set('k', 'v'));
    await s.database.close();

    storage = await createMikroOrmStorage({ connectionString: ':memory:', migrate: true });
    const m = storage;
    await m.database.withScope(() => m.kv.set('k', 'v'));
    expect(await m.database.withScope(() => m.kv.get('k'))).toBe('v');
  });

  it('runs in a process started with --input-type=module, which its workers inherit', async () => {
    const module = fileURLToPath(new URL('../dist/sqlite-checkpointer.js', import.meta.url));
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const path = join(dir, 'module.db');
    const script = `
      const { default: Database } = await import(${JSON.stringify(driver)});
      const { SqliteCheckpointer } = await import(${JSON.stringify(module)});
      const db = new Database(${JSON.stringify(path)});
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('create table t (v text)');
      for (let i = 0; i < 20; i++) db.prepare('insert into t values (?)').run('row ' + i);
      const errors = [];
      const checkpointer = new SqliteCheckpointer({ path: ${JSON.stringify(path)}, busyTimeoutMs: 1000, intervalMs: 10, onError: (e) => errors.push(e) });
      const deadline = Date.now() + 10000;
      while (checkpointer.last.checkpointed === 0 && errors.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await checkpointer.stop();
      db.close();
      console.log(JSON.stringify({ errors, checkpointed: checkpointer.last.checkpointed > 0 }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({ errors: [], checkpointed: true });
  });
});
