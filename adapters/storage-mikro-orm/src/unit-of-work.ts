import type { AsyncLocalStorage } from 'node:async_hooks';
import { EventType, RequestContext, TransactionContext, TransactionPropagation } from '@mikro-orm/core';
import type { EntityManager, TransactionEventBroadcaster } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex, SqlEntityManager } from '@mikro-orm/knex';
import type { LatchkeyOrm } from './orm.js';
import { cachedStatement, registerPinnedClient } from './repositories/raw-sql.js';
import type { SqliteDatabase } from './repositories/raw-sql.js';

/**
 * Units of work and transactions.
 *
 * `inTransaction` is MikroORM's `em.transactional` with REQUIRED propagation, so MikroORM still decides
 * everything a transaction means to the ORM: a nested call joins the outer transaction; the callback
 * gets a fork that `currentEm` finds (MikroORM's TransactionContext); entity changes made through it are
 * flushed before the commit and merged into the request's em after it; a thrown error rolls back;
 * transaction events fire.
 *
 * What changes is the layer below, the connection's `begin`/`commit`/`rollback`
 * (`usePinnedTransactions`, installed by `openOrm`). MikroORM's default opens a knex Transaction,
 * which builds a whole knex instance per transaction (knex `makeTransactor` → `makeKnex`) and runs
 * BEGIN and COMMIT through knex's query pipeline: 150–200 µs of CPU for an empty transaction, most of
 * it that object graph and the garbage it leaves. Instead, a `PinnedTransaction` borrows a connection
 * from the knex pool, runs BEGIN on it, and hands MikroORM a context whose `client` always returns
 * that connection: knex's `.transacting(ctx)`, which is how MikroORM runs every statement of a
 * transaction (query builder, `em.execute`, flush), only reads `ctx.client`, exactly as it does with
 * knex's own transaction client. COMMIT or ROLLBACK ends it and gives the connection back. An empty
 * transaction then costs about 30 µs. Nested MikroORM transactions (the migrator's, or NESTED
 * propagation) become savepoints on the same connection; isolation levels and read-only transactions,
 * which this package never asks for, still go to knex.
 *
 * On SQLite the pool holds the one connection, so a transaction serialises with everything else in the
 * process exactly as before. On PostgreSQL BEGIN/COMMIT/ROLLBACK run on the borrowed pg client, as
 * knex would run them.
 *
 * `inRawTransaction` (core's `Database.transaction`, and repositories whose transaction is only
 * hand-written SQL) goes one step further when the unit of work has no EntityManager yet: a *lean*
 * transaction, a PinnedTransaction without MikroORM's `em.transactional` around it. MikroORM's machinery
 * (a fork, its TransactionContext, a flush, transaction events, the merge back) cost about 35 µs of CPU
 * per transaction, more than a statement and its commit. The lean transaction is scoped to its
 * callback like MikroORM's (a child RequestContext whose `LazyForks` carries it): hand-written SQL
 * finds it (raw-sql.ts), `inTransaction` and `inRawTransaction` join it, and an EntityManager asked
 * for inside (`currentEm`) is forked on first use bound to it and flushed before the COMMIT, so code
 * that uses the ORM inside still runs in the transaction. Departure: MikroORM's transaction events
 * do not fire for it (nothing in Latchkey subscribes to them).
 */

/**
 * The EntityManager for the current unit of work: the transaction's fork inside `transaction()`, the
 * request's fork inside `withScope()`, otherwise a fresh fork, so a call outside any scope (a CLI
 * command, a test) still never shares an identity map with anyone.
 */
export function currentEm(orm: LatchkeyOrm): SqlEntityManager {
  const em = orm.em.getContext(false);
  return em === orm.em ? orm.em.fork() : em;
}

interface RequestContextStatics {
  storage: AsyncLocalStorage<RequestContext>;
}
const requestContexts = (RequestContext as unknown as RequestContextStatics).storage;

/** The one-entry map of a RequestContext, forked when first read (see `withScope`). */
class LazyForks extends Map<string, EntityManager> {
  private forking = false;
  /** Small values this unit of work read once and may reuse (`unitOfWorkMemo`). */
  readonly memo = new Map<string, string>();

  /** `lean`: the lean transaction this context is the callback's scope of (see the top of the file). */
  constructor(
    private readonly root: EntityManager,
    readonly lean?: PinnedTransaction,
  ) {
    super();
  }

  /** Whether the unit of work's EntityManager exists yet. */
  get forked(): boolean {
    return this.size > 0;
  }

  override get(name: string): EntityManager | undefined {
    let em = super.get(name);
    if (!em && name === this.root.name && !this.forking) {
      // The fork's constructor resolves the context too: it must find none, as it would have before
      // `RequestContext.create` entered the context. And it forks the root, not whatever this map says.
      this.forking = true;
      try {
        em = this.root.fork({ useContext: true, disableContextResolution: true });
        // Inside a lean transaction, whatever the EntityManager runs goes through the transaction.
        if (this.lean) em.setTransactionContext(this.lean as unknown as Knex.Transaction);
      } finally {
        this.forking = false;
      }
      this.set(name, em);
    }
    return em;
  }
}

/**
 * Runs `fn` as one unit of work (a request). MikroORM's `RequestContext.create` forks the
 * EntityManager up front (an identity map, a unit of work, loaders: 10–20 µs of CPU). Many requests
 * never use it: the hot paths run hand-written SQL (raw-sql.ts), which needs no fork. So the context's
 * map forks on first `get`, exactly as `createContext` would have, and a request that never asks pays
 * nothing.
 */
export function withScope<T>(orm: LatchkeyOrm, fn: () => Promise<T>): Promise<T> {
  // Inside a lean transaction the transaction's context stays, as MikroORM's TransactionContext wins
  // over a RequestContext: a scope opened there (a listener's, say) runs in the transaction.
  const current = requestContexts.getStore()?.map;
  if (current instanceof LazyForks && current.lean) return fn();
  return requestContexts.run(new RequestContext(new LazyForks(orm.em)), fn);
}

/**
 * A map that lives as long as the current unit of work (a request), for values it may read once and
 * reuse, such as a cache's revision (revision-cache.ts); undefined outside one, and inside a
 * transaction parented outside it (`inTransaction`), so a transaction always reads afresh.
 */
export function unitOfWorkMemo(): Map<string, string> | undefined {
  const forks = requestContexts.getStore()?.map;
  return forks instanceof LazyForks ? forks.memo : undefined;
}

/**
 * Runs `fn` in a transaction, joining the current one if there is one. MikroORM 6.6 nests with a
 * savepoint by default (`NESTED`); core's port promises that nested calls join the outer transaction.
 *
 * MikroORM forks the transaction's EntityManager from the unit of work's and merges what it loaded
 * back into it after the commit. When the unit of work has no EntityManager yet (the request ran only
 * hand-written SQL so far), nothing could be merged into, and making one just to be the parent costs a
 * fork: the transaction is then parented on the root EntityManager instead, outside the request's
 * context. MikroORM neither forks nor merges for that (the root is global, and `allowGlobalContext` is
 * off), and everything else a transaction means (flush before commit, joining, savepoints, events) is
 * unchanged.
 */
export function inTransaction<T>(orm: LatchkeyOrm, fn: (em: SqlEntityManager) => Promise<T>): Promise<T> {
  const run = () => orm.em.transactional((em) => fn(em), { propagation: TransactionPropagation.REQUIRED });
  if (TransactionContext.getEntityManager(orm.em.name)) return run();
  const forks = requestContexts.getStore()?.map;
  if (!(forks instanceof LazyForks)) return run();
  // Inside a lean transaction: join it, with its EntityManager (forked now if it was not yet).
  if (forks.lean) return fn(forks.get(orm.em.name) as SqlEntityManager);
  // What the unit of work remembered may change inside, or be read from a transaction that then rolls
  // back: it reads afresh after.
  const outcome = forks.forked ? run() : requestContexts.exit(run);
  return outcome.finally(() => forks.memo.clear());
}

/**
 * Runs `fn` in a transaction, joining the current one if there is one, for callers that take no
 * EntityManager: core's `Database.transaction` and repositories whose statements are hand-written SQL
 * on the ORM (raw-sql.ts finds the transaction). Lean when the unit of work has no EntityManager yet
 * (see the top of the file); otherwise `inTransaction`.
 */
export function inRawTransaction<T>(orm: LatchkeyOrm, fn: () => Promise<T>): Promise<T> {
  if (TransactionContext.getEntityManager(orm.em.name)) return fn();
  const forks = requestContexts.getStore()?.map;
  if (!(forks instanceof LazyForks)) return inTransaction(orm, () => fn());
  if (forks.lean) return fn();
  if (forks.forked) return inTransaction(orm, () => fn());
  return leanTransaction(orm, forks, fn);
}

async function leanTransaction<T>(orm: LatchkeyOrm, outer: LazyForks, fn: () => Promise<T>): Promise<T> {
  const trx = await PinnedTransaction.begin(orm.em.getConnection().getKnex().client as Knex.Client);
  // A memo of its own: what the unit of work remembered may be changed inside, so the transaction
  // reads afresh; and what it reads may be rolled back, so the unit of work reads afresh after.
  const inner = new LazyForks(orm.em, trx);
  try {
    const result = await requestContexts.run(new RequestContext(inner), fn);
    if (inner.forked) await inner.get(orm.em.name)!.flush();
    await trx.commit();
    return result;
  } catch (err) {
    await trx.rollback();
    throw err;
  } finally {
    outer.memo.clear();
  }
}

/** Runs BEGIN, COMMIT and the like on a connection the caller holds. */
async function control(base: Knex.Client, connection: unknown, sql: string): Promise<void> {
  if (base.driverName === 'better-sqlite3') cachedStatement(connection as SqliteDatabase, sql).run([]);
  else await base.query(connection, sql);
}

/**
 * A transaction on one borrowed connection (see the top of the file). A savepoint is a child that
 * shares its root's connection and client.
 */
export class PinnedTransaction {
  /** What knex's `.transacting(ctx)` switches a query to: a client bound to `connection`. */
  readonly client: Knex.Client;
  private ended = false;
  private savepoints = 0;

  private constructor(
    private readonly base: Knex.Client,
    readonly connection: unknown,
    private readonly root?: PinnedTransaction,
    private readonly savepoint?: string,
  ) {
    this.client = root ? root.client : pinnedClient(base, connection, () => this.ended);
  }

  static async begin(base: Knex.Client): Promise<PinnedTransaction> {
    const connection: unknown = await base.acquireConnection();
    try {
      await control(base, connection, 'BEGIN');
    } catch (err) {
      void base.releaseConnection(connection);
      throw err;
    }
    return new PinnedTransaction(base, connection);
  }

  get isRoot(): boolean {
    return this.root === undefined;
  }

  async nest(): Promise<PinnedTransaction> {
    const root = this.root ?? this;
    const name = `trx${++root.savepoints}`;
    await control(this.base, this.connection, `SAVEPOINT ${name}`);
    return new PinnedTransaction(this.base, this.connection, root, name);
  }

  async commit(): Promise<void> {
    if (this.ended) throw new Error('Transaction already completed');
    if (this.savepoint) {
      this.ended = true;
      await control(this.base, this.connection, `RELEASE SAVEPOINT ${this.savepoint}`);
      return;
    }
    try {
      await control(this.base, this.connection, 'COMMIT');
    } catch (err) {
      // SQLite keeps the transaction open when COMMIT fails (SQLITE_BUSY): end it before giving the
      // connection back. PostgreSQL has already ended it; its ROLLBACK only warns.
      await this.rollback();
      throw err;
    }
    this.end();
  }

  /**
   * Never throws, as knex's rollback does not: the caller rethrows the error that caused it. A ROLLBACK
   * that fails means a broken connection, which the pool's validation discards.
   */
  async rollback(): Promise<void> {
    if (this.ended) return;
    if (this.savepoint) {
      this.ended = true;
      await control(this.base, this.connection, `ROLLBACK TO SAVEPOINT ${this.savepoint}`).catch(() => {});
      await control(this.base, this.connection, `RELEASE SAVEPOINT ${this.savepoint}`).catch(() => {});
      return;
    }
    try {
      // SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, …).
      const sqlite = this.base.driverName === 'better-sqlite3';
      if (!sqlite || (this.connection as SqliteDatabase).inTransaction) {
        await control(this.base, this.connection, 'ROLLBACK');
      }
    } catch {
      // See above.
    } finally {
      this.end();
    }
  }

  private end(): void {
    this.ended = true;
    void this.base.releaseConnection(this.connection);
  }
}

/**
 * A knex client that runs every query on `connection` and releases nothing, made as knex's own
 * `makeTxClient` makes one, minus the event forwarding nobody listens to. After the transaction it
 * refuses, so a straggling query cannot run on a connection that is back in the pool.
 */
function pinnedClient(base: Knex.Client, connection: unknown, ended: () => boolean): Knex.Client {
  const client = Object.create((base.constructor as { prototype: object }).prototype) as Knex.Client &
    Record<string, unknown>;
  client.version = base.version;
  client.config = base.config;
  client.driver = base.driver;
  client.connectionSettings = base.connectionSettings;
  client.transacting = true;
  client.valueForUndefined = base.valueForUndefined;
  client.logger = base.logger;
  client.acquireConnection = () =>
    ended() ? Promise.reject(new Error('Transaction query already complete')) : Promise.resolve(connection);
  client.releaseConnection = () => Promise.resolve();
  registerPinnedClient(client, () => (ended() ? undefined : connection));
  return client;
}

type Begin = AbstractSqlConnection['begin'];
type EndFn = (
  ctx: Knex.Transaction,
  eventBroadcaster?: TransactionEventBroadcaster,
  loggerContext?: Parameters<AbstractSqlConnection['commit']>[2],
) => Promise<void>;

/**
 * Replaces the ORM connection's `begin`, `commit` and `rollback` with pinned transactions (see the top
 * of the file), dispatching MikroORM's transaction events where its own methods do. Anything it does
 * not handle (an isolation level, a read-only transaction, a knex transaction as parent) goes to the
 * original methods.
 */
export function usePinnedTransactions(orm: LatchkeyOrm): void {
  const connection = orm.em.getConnection() as AbstractSqlConnection;
  const original = {
    begin: connection.begin.bind(connection),
    commit: connection.commit.bind(connection),
    rollback: connection.rollback.bind(connection),
  };
  const asKnex = (trx: PinnedTransaction) => trx as unknown as Knex.Transaction;

  const begin: Begin = async (options = {}) => {
    const parent = options.ctx as unknown;
    if (options.isolationLevel || options.readOnly || (parent && !(parent instanceof PinnedTransaction))) {
      return original.begin(options);
    }
    if (parent instanceof PinnedTransaction) return asKnex(await parent.nest());
    await options.eventBroadcaster?.dispatchEvent(EventType.beforeTransactionStart);
    const trx = asKnex(await PinnedTransaction.begin(connection.getKnex().client));
    await options.eventBroadcaster?.dispatchEvent(EventType.afterTransactionStart, trx);
    return trx;
  };

  const end =
    (action: 'commit' | 'rollback'): EndFn =>
    async (ctx, eventBroadcaster, loggerContext) => {
      const trx = ctx as unknown;
      if (!(trx instanceof PinnedTransaction)) return original[action](ctx, eventBroadcaster, loggerContext);
      const [before, after] =
        action === 'commit'
          ? ([EventType.beforeTransactionCommit, EventType.afterTransactionCommit] as const)
          : ([EventType.beforeTransactionRollback, EventType.afterTransactionRollback] as const);
      if (trx.isRoot) await eventBroadcaster?.dispatchEvent(before, ctx);
      await trx[action]();
      if (trx.isRoot) await eventBroadcaster?.dispatchEvent(after, ctx);
    };

  connection.begin = begin;
  connection.commit = end('commit');
  connection.rollback = end('rollback');
}
