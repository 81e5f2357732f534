import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMikroOrmStorage, DB_UNREACHABLE, DatabaseUnreachableError } from './index.js';
import type { MikroOrmStorage } from './index.js';
import { PG_CONNECT_TIMEOUT_MS } from './orm.js';
import { describeEachDialect } from './test-support.js';

describe('createMikroOrmStorage on SQLite', () => {
  let dir = '';
  const opened: MikroOrmStorage[] = [];
  const open = async (connectionString: string) => {
    const storage = await createMikroOrmStorage({ connectionString });
    opened.push(storage);
    return storage;
  };
  const pragma = async (storage: MikroOrmStorage, name: string) =>
    Object.values((await storage.orm.em.getConnection().execute(`pragma ${name}`))[0]!)[0];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lk-open-'));
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.database.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the parent directories of the database file', async () => {
    const path = join(dir, 'a', 'b', 'latchkey.db');
    const storage = await open(path);
    expect(storage.database.dialect).toBe('sqlite');
    expect(existsSync(path)).toBe(true);
  });

  it('applies WAL, a 5 s busy timeout, synchronous=NORMAL and foreign keys by default', async () => {
    const storage = await open(join(dir, 'defaults.db'));
    expect(await pragma(storage, 'journal_mode')).toBe('wal');
    expect(await pragma(storage, 'busy_timeout')).toBe(5000);
    expect(await pragma(storage, 'synchronous')).toBe(1);
    expect(await pragma(storage, 'foreign_keys')).toBe(1);
  });

  it("applies a Pocket ID DSN's pragmas", async () => {
    const storage = await open(
      `file:${join(dir, 'pocket-id.db')}?_pragma=busy_timeout(2500)&_journal_mode=DELETE`,
    );
    expect(await pragma(storage, 'busy_timeout')).toBe(2500);
    expect(await pragma(storage, 'journal_mode')).toBe('delete');
    expect(existsSync(join(dir, 'pocket-id.db'))).toBe(true);
  });

  it('fails on an unusable path with the coded error', async () => {
    const file = join(dir, 'not-a-dir');
    await open(file);
    const err = await createMikroOrmStorage({ connectionString: join(file, 'x.db') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as Error).message).toContain('DB_CONNECTION_STRING');
  });

  it('checks DB_PROVIDER before touching the disk', async () => {
    const path = join(dir, 'never', 'x.db');
    await expect(createMikroOrmStorage({ connectionString: path, provider: 'postgres' })).rejects.toThrow(
      /DB_PROVIDER/,
    );
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('createMikroOrmStorage on an unreachable PostgreSQL', () => {
  const sockets = () =>
    process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'ConnectWrap').length;
  /** A refused or timed-out socket is torn down asynchronously; give it a moment, never forever. */
  const settled = async (expected: number) => {
    const deadline = Date.now() + 1_000;
    while (sockets() !== expected && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    return sockets();
  };

  it('throws LATCHKEY_ERR_DB_UNREACHABLE naming DB_CONNECTION_STRING, password redacted, nothing left open', async () => {
    const before = sockets();
    const started = Date.now();
    const err = await createMikroOrmStorage({ connectionString: 'postgres://u:secret@127.0.0.1:1/db' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    const error = err as DatabaseUnreachableError;
    expect(error.code).toBe(DB_UNREACHABLE);
    expect(error.code).toBe('LATCHKEY_ERR_DB_UNREACHABLE');
    expect(error.message).toContain('DB_CONNECTION_STRING');
    expect(error.message).toContain('postgres://u:***@127.0.0.1:1/db');
    expect(error.message).not.toContain('secret');
    expect(JSON.stringify({ ...error, cause: error.cause })).not.toContain('secret');
    expect(await settled(before)).toBe(before);
  });

  it('gives up after the connect timeout when the server never answers', async () => {
    // Accepts TCP connections and stays silent, like a firewall that swallows packets.
    const silent: Socket[] = [];
    const server = createServer((socket) => silent.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      const err = await createMikroOrmStorage({
        connectionString: `postgres://u:secret@127.0.0.1:${port}/db`,
      }).then(
        () => null,
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect(err).toBeInstanceOf(DatabaseUnreachableError);
      expect(took).toBeGreaterThanOrEqual(PG_CONNECT_TIMEOUT_MS - 100);
      expect(took).toBeLessThan(PG_CONNECT_TIMEOUT_MS + 2_000);
      expect((err as Error).message).not.toContain('secret');
    } finally {
      for (const socket of silent) socket.destroy();
      await new Promise((r) => server.close(r));
    }
    expect(await settled(0)).toBe(0);
  });
});

describeEachDialect('createMikroOrmStorage', (db) => {
  it('migrates on open when asked, and not otherwise', async () => {
    const fresh = await db.open({ migrate: false });
    // The migrations table may not exist yet, so ask for the users table directly.
    await expect(fresh.orm.em.getConnection().execute('select count(*) from users')).rejects.toThrow();
    await db.open({ migrate: true });
    await expect(fresh.orm.em.getConnection().execute('select count(*) as n from users')).resolves.toEqual([
      { n: expect.anything() },
    ]);
  });

  it('answers ping', async () => {
    const storage = await db.open();
    await expect(storage.database.ping()).resolves.toBeUndefined();
    expect(storage.database.dialect).toBe(db.dialect);
  });
});
