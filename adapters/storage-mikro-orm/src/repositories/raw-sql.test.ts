import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { InferEntity } from '@mikro-orm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { KvEntity, UserEntity } from '../entities/index.js';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { cachedStatement, run, selectAll, selectOne, sqliteClient } from './raw-sql.js';
import type { SqliteDatabase } from './raw-sql.js';

type UserRow = InferEntity<typeof UserEntity>;
type KvRow = InferEntity<typeof KvEntity>;

const INSERT_USER = `insert into users (id, username, email, email_verified, first_name, last_name, display_name,
locale, is_admin, disabled, ldap_id, created_at, updated_at) values (?, ?, null, ?, '', null, '', ?, ?, ?, null, ?, ?)`;
const USER_BY_ID = `select id, username, email_verified, locale, is_admin, disabled, created_at, updated_at
from users where id = ?`;
const INSERT_KV = `insert into kv (key, value) values (?, ?)`;
const KV_BY_KEY = `select key, value from kv where key = ?`;

describeEachDialect('raw-sql', (db) => {
  let s: MikroOrmStorage;

  beforeAll(async () => {
    s = await db.open();
  });

  const em = () => currentEm(s.orm);

  it('binds Dates and booleans as MikroORM stores them, and maps them back', async () => {
    const id = randomUUID();
    const created = new Date('2026-11-23T10:11:12.345Z');
    const updated = new Date('2026-11-24T00:00:00.001Z');
    await run(em(), INSERT_USER, [id, 'raw-dates', true, undefined, false, false, created, updated]);

    // MikroORM's own read sees what it would have written itself.
    const viaOrm = await em().findOneOrFail(UserEntity, { id }, { disableIdentityMap: true });
    expect(viaOrm).toMatchObject({ emailVerified: true, isAdmin: false, locale: null, createdAt: created });
    expect(viaOrm.updatedAt).toEqual(updated);

    const viaRaw = await selectOne<UserRow>(em(), UserEntity, USER_BY_ID, [id]);
    expect(viaRaw).toEqual({
      id,
      username: 'raw-dates',
      emailVerified: true,
      locale: null,
      isAdmin: false,
      disabled: false,
      createdAt: created,
      updatedAt: updated,
    });

    // And the other way round: a row MikroORM wrote matches Date and boolean parameters.
    const other = randomUUID();
    await em().insert(UserEntity, {
      id: other,
      username: 'orm-dates',
      emailVerified: false,
      isAdmin: true,
      createdAt: created,
      updatedAt: updated,
    });
    const match = `select id from users where created_at = ? and is_admin = ? and email_verified = ? order by id`;
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await selectAll(em(), UserEntity, match, [created, true, false]))).toEqual([other]);
    expect(ids(await selectAll(em(), UserEntity, match, [created, false, true]))).toEqual([id]);
    expect(await selectAll(em(), UserEntity, match, [updated, true, false])).toEqual([]);
  });

  it('refuses parameters it cannot bind, on both engines', async () => {
    await expect(selectOne(em(), KvEntity, KV_BY_KEY, [{ key: 'x' }])).rejects.toThrow(TypeError);
    await expect(selectAll(em(), KvEntity, KV_BY_KEY, [['x']])).rejects.toThrow(TypeError);
    await expect(run(em(), INSERT_KV, ['raw:refused', new Map()])).rejects.toThrow(TypeError);
    expect(await selectOne(em(), KvEntity, KV_BY_KEY, ['raw:refused'])).toBeNull();
  });

  it('counts the rows a write changed, `returning` included', async () => {
    await run(em(), INSERT_KV, ['raw:count:1', 'a']);
    await run(em(), INSERT_KV, ['raw:count:2', 'b']);
    expect(await run(em(), `update kv set value = ? where key like 'raw:count:%'`, ['c'])).toBe(2);
    expect(await run(em(), `delete from kv where key = ? returning key`, ['raw:count:1'])).toBe(1);
    expect(await run(em(), `delete from kv where key = ? returning key`, ['raw:count:1'])).toBe(0);
    expect(await run(em(), `delete from kv where key = ?`, ['raw:count:2'])).toBe(1);
  });

  it("throws MikroORM's exceptions for driver errors", async () => {
    await run(em(), INSERT_KV, ['raw:unique', '1']);
    await expect(run(em(), INSERT_KV, ['raw:unique', '2'])).rejects.toBeInstanceOf(
      UniqueConstraintViolationException,
    );
  });

  it('runs on the transaction of the unit of work, and is rolled back with it', async () => {
    await expect(
      inTransaction(s.orm, async (tx) => {
        await run(tx, INSERT_KV, ['raw:tx', 'inside']);
        // Repositories find the transaction's em through currentEm.
        expect(await selectOne<KvRow>(em(), KvEntity, KV_BY_KEY, ['raw:tx'])).toEqual({
          key: 'raw:tx',
          value: 'inside',
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await selectOne(em(), KvEntity, KV_BY_KEY, ['raw:tx'])).toBeNull();
  });

  it("never runs inside another unit of work's open transaction", async () => {
    let inserted!: () => void;
    let finish!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    const finishSignal = new Promise<void>((resolve) => (finish = resolve));
    const tx = s.database.withScope(() =>
      inTransaction(s.orm, async (tx) => {
        await run(tx, INSERT_KV, ['raw:isolated', 'uncommitted']);
        inserted();
        await finishSignal;
        throw new Error('roll back');
      }),
    );
    await insertedSignal;
    // On SQLite this read waits for the connection the transaction holds; on PostgreSQL it runs on
    // another connection. Either way it cannot see the uncommitted row.
    const outside = s.database.withScope(() => selectOne(em(), KvEntity, KV_BY_KEY, ['raw:isolated']));
    finish();
    await expect(tx).rejects.toThrow('roll back');
    expect(await outside).toBeNull();
  });

  it('refuses to run on a transaction that has ended', async () => {
    const ended = await inTransaction(s.orm, async (tx) => tx);
    await expect(selectOne(ended, KvEntity, KV_BY_KEY, ['raw:late'])).rejects.toThrow(/already complete/);
    await expect(run(ended, INSERT_KV, ['raw:late', 'x'])).rejects.toThrow(/already complete/);
    expect(await selectOne(em(), KvEntity, KV_BY_KEY, ['raw:late'])).toBeNull();
  });

  describe.runIf(db.dialect === 'sqlite')('statement cache (SQLite)', () => {
    it('prepares a statement once per connection and SQL text', async () => {
      const client = sqliteClient(em())!;
      const conn = (await client.acquireConnection()) as SqliteDatabase;
      try {
        const first = cachedStatement(conn, KV_BY_KEY);
        expect(cachedStatement(conn, KV_BY_KEY)).toBe(first);
        expect(cachedStatement(conn, INSERT_KV)).not.toBe(first);
        // The cache is bounded: hundreds of other texts push the oldest out, and it is prepared anew.
        for (let i = 0; i < 600; i++) cachedStatement(conn, `select ${i} as n`);
        const again = cachedStatement(conn, KV_BY_KEY);
        expect(again).not.toBe(first);
        expect(again.get(['none'])).toBeUndefined();
      } finally {
        await client.releaseConnection(conn);
      }
    });
  });
});
