import { TransactionPropagation } from '@mikro-orm/core';
import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { beforeAll, expect, it } from 'vitest';
import { KvEntity } from './entities/index.js';
import type { MikroOrmStorage } from './index.js';
import { describeEachDialect } from './test-support.js';
import { currentEm, inTransaction } from './unit-of-work.js';

/**
 * The pinned transactions under MikroORM's `em.transactional` (unit-of-work.ts). Commit, rollback and
 * joining are covered by mikro-orm-database.test.ts; raw statements in transactions by raw-sql.test.ts.
 */
describeEachDialect('inTransaction on pinned transactions', (db) => {
  let s: MikroOrmStorage;

  beforeAll(async () => {
    s = await db.open();
  });

  it('flushes entity changes made through the em before the commit', async () => {
    await inTransaction(s.orm, async (em) => {
      em.create(KvEntity, { key: 'uow:flushed', value: 'yes' });
    });
    expect(await s.kv.get('uow:flushed')).toBe('yes');
  });

  it('turns a NESTED MikroORM transaction into a savepoint that rolls back on its own', async () => {
    await inTransaction(s.orm, async (em) => {
      await s.kv.set('uow:outer', 'kept');
      await expect(
        em.transactional(
          async () => {
            await s.kv.set('uow:inner', 'undone');
            throw new Error('inner fails');
          },
          { propagation: TransactionPropagation.NESTED },
        ),
      ).rejects.toThrow('inner fails');
      await em.transactional(() => s.kv.set('uow:inner-ok', 'kept'), {
        propagation: TransactionPropagation.NESTED,
      });
    });
    expect(await s.kv.get('uow:outer')).toBe('kept');
    expect(await s.kv.get('uow:inner')).toBeNull();
    expect(await s.kv.get('uow:inner-ok')).toBe('kept');
  });

  it('hands the connection back clean after a statement failed inside the transaction', async () => {
    await s.kv.set('uow:dup', '1');
    for (let i = 0; i < 3; i++) {
      await expect(
        inTransaction(s.orm, (em) => em.insert(KvEntity, { key: 'uow:dup', value: '2' })),
      ).rejects.toThrow();
    }
    // On PostgreSQL an aborted transaction left open would fail every later statement on its connection.
    const reads = await Promise.all(Array.from({ length: 12 }, () => s.kv.get('uow:dup')));
    expect(reads).toEqual(Array(12).fill('1'));
    await inTransaction(s.orm, () => s.kv.set('uow:after', 'ok'));
    expect(await s.kv.get('uow:after')).toBe('ok');
  });

  it('refuses queries on a transaction that has ended', async () => {
    const ended = await inTransaction(s.orm, async (em) => em);
    await expect(ended.count(KvEntity, {})).rejects.toThrow(/already complete/);
    await expect(currentEm(s.orm).count(KvEntity, {})).resolves.toBeGreaterThan(0);
  });

  it("fires MikroORM's transaction events", async () => {
    const own = await db.open();
    const seen: string[] = [];
    const note = (name: string) => (args: TransactionEventArgs) => {
      expect(args.transaction).toBeDefined();
      seen.push(name);
    };
    const subscriber: EventSubscriber = {
      afterTransactionStart: note('start'),
      beforeTransactionCommit: note('before commit'),
      afterTransactionCommit: note('commit'),
      beforeTransactionRollback: note('before rollback'),
      afterTransactionRollback: note('rollback'),
    };
    own.orm.em.getEventManager().registerSubscriber(subscriber);
    await inTransaction(own.orm, () => own.kv.set('uow:events', '1'));
    await expect(
      inTransaction(own.orm, async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(seen).toEqual(['start', 'before commit', 'commit', 'start', 'before rollback', 'rollback']);
  });
});
