import { randomUUID } from 'node:crypto';
import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { beforeAll, expect, it } from 'vitest';
import { SessionEntity, UserEntity } from './entities/index.js';
import type { MikroOrmStorage } from './index.js';
import { migrationsFor } from './orm.js';
import { describeEachDialect } from './test-support.js';

describeEachDialect('Database', (db) => {
  let storage: MikroOrmStorage;

  it('applies every migration once, then nothing', async () => {
    storage = await db.open({ migrate: false });
    const expected = migrationsFor(db.dialect).map((m) => m.name);
    expect(expected[0]).toBe('Migration20261123000000_initial');
    expect(await storage.database.migrate()).toEqual(expected);
    expect(await storage.database.migrate()).toEqual([]);
    // Another instance opening the same database finds nothing to do either.
    const second = await db.open({ migrate: false });
    expect(await second.database.migrate()).toEqual([]);
  });

  it('leaves a schema that matches the entities exactly (no migration is missing)', async () => {
    const diff = await storage.orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('gives each scope its own unit of work', async () => {
    const em = () => storage.orm.em.getContext(false);
    const [a, b] = await Promise.all([
      storage.database.withScope(async () => em()),
      storage.database.withScope(async () => em()),
    ]);
    expect(a).not.toBe(b);
    expect(a).not.toBe(storage.orm.em);
    expect(await storage.database.withScope(async () => 42)).toBe(42);
  });

  // Outside a unit of work a transaction is MikroORM's; inside one that has no EntityManager yet (a
  // request), it is lean (unit-of-work.ts). Both must mean the same.
  const ways: [string, <T>(fn: () => Promise<T>) => Promise<T>][] = [
    ['outside a request scope', (fn) => fn()],
    ['in a request scope (lean)', (fn) => storage.database.withScope(fn)],
  ];
  for (const [where, scoped] of ways) {
    it(`commits a transaction, ${where}`, async () => {
      const key = `tx:commit:${randomUUID()}`;
      await scoped(() =>
        storage.database.transaction(async () => {
          await storage.kv.set(key, 'yes');
        }),
      );
      expect(await storage.kv.get(key)).toBe('yes');
    });

    it(`rolls back every write of a failed transaction, ORM writes included, ${where}`, async () => {
      const key = `tx:rollback:${randomUUID()}`;
      const kid = `tx-rollback-${randomUUID()}`;
      await expect(
        scoped(() =>
          storage.database.transaction(async () => {
            await storage.kv.set(key, '1');
            await storage.signingKeys.rotate(aKey(kid), new Date());
            throw new Error('boom');
          }),
        ),
      ).rejects.toThrow('boom');
      expect(await storage.kv.get(key)).toBeNull();
      expect((await storage.signingKeys.listAll()).map((k) => k.kid)).not.toContain(kid);
    });

    it(`joins the outer transaction from a nested call rather than opening a savepoint, ${where}`, async () => {
      const key = `tx:nested:${randomUUID()}`;
      await expect(
        scoped(() =>
          storage.database.transaction(async () => {
            const outer = storage.orm.em.getContext(false);
            await storage.database.transaction(async () => {
              expect(storage.orm.em.getContext(false)).toBe(outer);
              await storage.kv.set(key, 'inner');
            });
            expect(await storage.kv.get(key)).toBe('inner');
            throw new Error('outer fails');
          }),
        ),
      ).rejects.toThrow('outer fails');
      expect(await storage.kv.get(key)).toBeNull();
    });

    it(`runs a unit of work opened inside a transaction in that transaction, ${where}`, async () => {
      const key = `tx:inner-scope:${randomUUID()}`;
      await expect(
        scoped(() =>
          storage.database.transaction(async () => {
            await storage.database.withScope(() => storage.kv.set(key, 'inside'));
            expect(await storage.kv.get(key)).toBe('inside');
            throw new Error('rolled back');
          }),
        ),
      ).rejects.toThrow('rolled back');
      expect(await storage.kv.get(key)).toBeNull();
    });

    it(`keeps a transaction's writes from other units of work until it commits, ${where}`, async () => {
      const key = `tx:isolated:${randomUUID()}`;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const wrote = new Promise<void>((resolve) => (written = resolve));
      const transaction = scoped(() =>
        storage.database.transaction(async () => {
          await storage.kv.set(key, 'uncommitted');
          written();
          await held;
          throw new Error('rolled back');
        }),
      );
      await wrote;
      // Another request reads meanwhile: on SQLite it waits for the one connection, on PostgreSQL it
      // reads the committed state; never the transaction's own write.
      const reader = storage.database.withScope(() => storage.kv.get(key));
      setTimeout(release, 50);
      await expect(transaction).rejects.toThrow('rolled back');
      expect(await reader).toBeNull();
      expect(await storage.kv.get(key)).toBeNull();
    });
  }

  it('runs transactions inside a request scope', async () => {
    await storage.database.withScope(() =>
      storage.database.transaction(async () => {
        await storage.kv.set('tx:scoped', '1');
      }),
    );
    expect(await storage.kv.get('tx:scoped')).toBe('1');
  });
});

describeEachDialect('Database.migrate from instances starting together', (db) => {
  // SQLite deployments run one instance; several processes migrating one file at once is not supported.
  it.skipIf(db.dialect === 'sqlite')('applies each migration once', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => db.open({ migrate: false })));
    const results = await Promise.all(instances.map((s) => s.database.migrate()));
    const expected = migrationsFor(db.dialect).map((m) => m.name);
    expect(results.filter((r) => r.length > 0)).toEqual([expected]);
    expect(results.filter((r) => r.length === 0)).toHaveLength(2);
  });
});

/** What MikroORM generates to alter a SQLite column: copy the table, drop it, rename the copy. */
class RebuildUsers extends Migration {
  override async up(): Promise<void> {
    const [table] = await this.execute(
      `select sql from sqlite_master where type = 'table' and name = 'users'`,
    );
    this.addSql('pragma foreign_keys = off;');
    this.addSql(String(table!.sql).replace(/^create table "users"/i, 'create table "users__temp_alter"'));
    this.addSql('insert into users__temp_alter select * from users;');
    this.addSql('drop table users;');
    this.addSql('alter table users__temp_alter rename to users;');
    this.addSql('create unique index users_username_lower_unique on users (lower(username));');
    this.addSql('pragma foreign_keys = on;');
  }
}

describeEachDialect('Database.migrate rebuilding a parent table', (db) => {
  // PostgreSQL alters columns in place; only SQLite rebuilds tables.
  it.skipIf(db.dialect !== 'sqlite')('keeps the child rows and turns foreign keys back on', async () => {
    const running = await db.open();
    const em = running.orm.em.fork();
    const userId = randomUUID();
    const now = new Date();
    await em.insert(UserEntity, { id: userId, username: 'kept', createdAt: now, updatedAt: now });
    await em.insert(SessionEntity, {
      id: randomUUID(),
      userId,
      tokenHash: 'h',
      amr: ['phr'],
      authTime: now,
      createdAt: now,
      expiresAt: now,
    });

    const upgraded = await db.open({ migrate: false });
    const options = upgraded.orm.config.get('migrations');
    const rebuild: MigrationObject = { name: 'Migration29990101000000_rebuild_users', class: RebuildUsers };
    upgraded.orm.config.set('migrations', {
      ...options,
      migrationsList: [...(options.migrationsList ?? []), rebuild],
    });
    expect(await upgraded.database.migrate()).toEqual([rebuild.name]);

    const conn = upgraded.orm.em.getConnection();
    expect(await upgraded.orm.em.fork().count(SessionEntity, { userId })).toBe(1);
    expect(await conn.execute('pragma foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await conn.execute('delete from users where id = ?', [userId]);
    expect(await upgraded.orm.em.fork().count(SessionEntity, { userId })).toBe(0);
  });
});

function aKey(kid: string) {
  return {
    kid,
    alg: 'ES256' as const,
    encryptedPrivateJwk: 'ciphertext',
    publicJwk: '{}',
    createdAt: new Date(),
    retiredAt: null,
    expiresAt: null,
  };
}

beforeAll(() => {
  expect(migrationsFor('sqlite').length).toBe(migrationsFor('postgresql').length);
});
