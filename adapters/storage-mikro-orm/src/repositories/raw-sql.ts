import { MikroORM, RequestContext, TransactionContext } from '@mikro-orm/core';
import type { EntityData, QueryResult } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import type { LatchkeyOrm } from '../orm.js';

/**
 * Hand-written SQL for the hot paths (sign-in, session check, token requests), where MikroORM's query
 * builder and hydration cost several times the statement itself.
 *
 * The SQL must be dialect-neutral: lower-case unquoted identifiers, `?` placeholders, no `?` inside
 * string literals. Parameters are strings, numbers, bigints, booleans, Dates, Buffers or null
 * (undefined counts as null). JSON values are passed as strings (`JSON.stringify`).
 *
 * - **SQLite** runs each statement as a better-sqlite3 statement prepared once per connection and SQL
 *   text (`cachedStatement`), with the values bound as parameters: a Date as epoch milliseconds, which
 *   is how MikroORM stores Dates on SQLite (entities/columns.ts), a boolean as 1/0. `em.execute` would
 *   inline every value into a new SQL text, prepare it anew and go through knex's query pipeline:
 *   65–160 µs of CPU per statement against 5–10 µs this way (docs/benchmarks.md).
 *   The statement runs on the unit of work's own connection: inside a transaction the transaction's
 *   (`trx.client.acquireConnection()` returns it, for knex's transactions and unit-of-work.ts's
 *   alike), otherwise the pool's single SQLite connection. When nobody holds that connection the
 *   statement runs on it at once (better-sqlite3 is synchronous, so nothing can take it in between);
 *   otherwise it is borrowed from the pool, which waits while another request's transaction holds it.
 *   Either way a statement can never land inside someone else's transaction. Borrowing costs a
 *   promise, a pending-acquire record and a timer in tarn, more than most of these statements.
 * - **PostgreSQL** goes through `em.execute` (MikroORM inlines the values with the platform's quoting),
 *   which also runs on the em's transaction when there is one.
 *
 * A statement is given either an EntityManager (a transaction's, or a unit of work's) or the ORM itself
 * (`SqlTarget`). With the ORM, the current transaction is found in MikroORM's TransactionContext (or,
 * for a lean transaction, in the RequestContext of its callback: unit-of-work.ts) and,
 * outside one, the statement needs no EntityManager at all, so the request's fork (unit-of-work.ts
 * makes it on first use) is never made for a request that only runs these statements.
 *
 * Raw statements bypass MikroORM's identity map, as the `disableIdentityMap` reads elsewhere in this
 * package do: never mix a raw write with a pending (unflushed) entity change of the same row.
 */

/** An entity defined with `defineEntity`: its class name keys MikroORM's metadata. */
export interface EntitySchemaLike {
  meta: { className: string };
}

/** The part of better-sqlite3's API used here (the package is a dependency of MikroORM's driver, not ours). */
export interface SqliteStatement {
  /** True when the statement returns rows (a select, or a write with `returning`). */
  readonly reader: boolean;
  get(params: readonly unknown[]): unknown;
  all(params: readonly unknown[]): unknown[];
  run(params: readonly unknown[]): { changes: number };
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  /** False once the connection is closed (the pool destroyed it). */
  readonly open: boolean;
  /** False once a transaction has ended, including when SQLite rolled it back by itself. */
  readonly inTransaction: boolean;
}

/**
 * Statements per connection and SQL text. The texts are the repositories' constants plus `in (?, ?, …)`
 * lists of varying length, so the map is capped; the oldest entry goes first (a statement not in use
 * is finalised by the garbage collector). A WeakMap, so a closed connection takes its statements along.
 */
const statements = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();
const MAX_STATEMENTS_PER_CONNECTION = 500;

export function cachedStatement(db: SqliteDatabase, sql: string): SqliteStatement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (cache.size >= MAX_STATEMENTS_PER_CONNECTION) cache.delete(cache.keys().next().value!);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** The knex client of a better-sqlite3 connection, or undefined for any other engine. */
export function sqliteClient(em: SqlEntityManager): Knex.Client | undefined {
  const client = em.getConnection().getKnex().client as Knex.Client;
  return client.driverName === 'better-sqlite3' ? client : undefined;
}

/** Where a statement runs: an EntityManager, or the ORM (its current transaction, if any; see the top). */
export type SqlTarget = SqlEntityManager | LatchkeyOrm;

interface Resolved {
  /** For the driver, the metadata and the connection; the ORM's own em when no transaction runs. */
  em: SqlEntityManager;
  trx: Knex.Transaction | undefined;
}

function resolve(target: SqlTarget): Resolved {
  if (target instanceof MikroORM) {
    const trxEm = TransactionContext.getEntityManager(target.em.name) as SqlEntityManager | undefined;
    if (trxEm) return { em: trxEm, trx: trxEm.getTransactionContext<Knex.Transaction>() };
    // A lean transaction (unit-of-work.ts) is carried by the RequestContext of its callback.
    const lean = (RequestContext.currentRequestContext()?.map as { lean?: Knex.Transaction } | undefined)
      ?.lean;
    return { em: target.em, trx: lean };
  }
  return { em: target, trx: target.getTransactionContext<Knex.Transaction>() };
}

/**
 * The connection of each pinned transaction's client (unit-of-work.ts), reachable without the promise
 * `acquireConnection` returns; undefined once the transaction has ended.
 */
const pinnedConnections = new WeakMap<Knex.Client, () => unknown>();

export function registerPinnedClient(client: Knex.Client, connection: () => unknown): void {
  pinnedConnections.set(client, connection);
}

/** The last SQLite connection borrowed from each pool (see `idleConnection`). */
const knownConnections = new WeakMap<Knex.Client, SqliteDatabase>();

interface TarnPool {
  numUsed(): number;
  numPendingAcquires(): number;
  numPendingValidations(): number;
  numPendingCreates(): number;
}

/**
 * The pool's one SQLite connection when it is idle: knex's better-sqlite3 pool holds exactly one
 * (min 1, max 1), and a connection it destroys is closed, so an open connection it lent before, with
 * nothing borrowed or waiting, is the free one.
 */
function idleConnection(client: Knex.Client): SqliteDatabase | undefined {
  const db = knownConnections.get(client);
  const pool = (client as unknown as { pool?: TarnPool }).pool;
  if (!db?.open || !pool) return undefined;
  if (
    pool.numUsed() + pool.numPendingAcquires() + pool.numPendingValidations() + pool.numPendingCreates() >
    0
  ) {
    return undefined;
  }
  return db;
}

/**
 * A value as better-sqlite3 binds it, the same as MikroORM would store it on SQLite. Anything else is
 * refused on both engines, so a statement that works on one works on the other.
 */
function bindable(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'undefined':
      return null;
  }
  if (value === null || Buffer.isBuffer(value)) return value;
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // better-sqlite3 would take a plain object as named parameters; em.execute would inline an array as
  // a list. Neither is what a `?` means here.
  throw new TypeError(
    `raw-sql: cannot bind a ${Object.prototype.toString.call(value)}; pass JSON as a string`,
  );
}

/** The parameters for `em.execute` (PostgreSQL), checked as SQLite's are. */
function checked(params: readonly unknown[]): unknown[] {
  params.forEach(bindable);
  return [...params];
}

/**
 * Runs `fn` on the unit of work's SQLite connection with the statement for `sql` (see the top of the
 * file). Driver errors become MikroORM's exceptions (`UniqueConstraintViolationException`, …), as
 * `em.execute` would throw them.
 *
 * Synchronous when the connection is at hand (a pinned transaction's, or the idle pool connection),
 * which is nearly always: on Node 20 every promise pays for the async hooks MikroORM's
 * `AsyncLocalStorage` turns on, and a statement here costs only a few µs. Only a borrow returns a
 * promise. Callers turn a throw into a rejection (`settled`).
 */
function onSqlite<T>(
  { em, trx }: Resolved,
  client: Knex.Client,
  sql: string,
  params: readonly unknown[],
  fn: (stmt: SqliteStatement, bound: unknown[]) => T,
): T | Promise<T> {
  const bound = params.map(bindable);
  const db = (trx ? pinnedConnections.get(trx.client)?.() : idleConnection(client)) as
    SqliteDatabase | undefined;
  if (db) return runStatement(em, db, sql, bound, fn);
  return (async () => {
    if (trx) {
      // A transaction's client returns the same connection every time and releases nothing.
      return runStatement(em, (await trx.client.acquireConnection()) as SqliteDatabase, sql, bound, fn);
    }
    const borrowed = (await client.acquireConnection()) as SqliteDatabase;
    knownConnections.set(client, borrowed);
    try {
      return runStatement(em, borrowed, sql, bound, fn);
    } finally {
      void client.releaseConnection(borrowed);
    }
  })();
}

function runStatement<T>(
  em: SqlEntityManager,
  db: SqliteDatabase,
  sql: string,
  bound: unknown[],
  fn: (stmt: SqliteStatement, bound: unknown[]) => T,
): T {
  try {
    return fn(cachedStatement(db, sql), bound);
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  }
}

/** `then` on a value that may be a promise, always giving a promise; a throw in `make` rejects it. */
function settled<R, T>(make: () => R | Promise<R>, then: (value: R) => T): Promise<T> {
  try {
    const value = make();
    return value instanceof Promise ? value.then(then) : Promise.resolve(then(value));
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/** On PostgreSQL, `em.execute` on the transaction when there is one (the driver's, so no fork is needed). */
function onOther<T extends QueryResult | EntityData<object> | EntityData<object>[]>(
  { em, trx }: Resolved,
  sql: string,
  params: readonly unknown[],
  method: 'all' | 'get' | 'run',
): Promise<T> {
  return em.getDriver().execute<T>(sql, checked(params), method, trx);
}

/**
 * Rows come back as the engine gives them; `mapResult` (MikroORM's compiled mapper, under 1 µs a row)
 * renames columns to properties and turns the engine's timestamps (SQLite epoch ms, PostgreSQL Dates)
 * into Dates and SQLite's 0/1 into booleans. Columns the entity does not know keep their names. JSON
 * columns stay as the engine returns them (a string on SQLite): see `parseJson`.
 */
function mapRow<T>(em: SqlEntityManager, entity: EntitySchemaLike, raw: Record<string, unknown>): T {
  const meta = em.getMetadata().get(entity.meta.className);
  return em.getDriver().mapResult(raw as EntityData<object>, meta) as T;
}

/** A select on either engine; `shape` makes the answer from the rows (mapped with `map`). */
function select<T, R>(
  target: SqlTarget,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
  method: 'get' | 'all',
  shape: (raw: unknown, map: (row: Record<string, unknown>) => T) => R,
): Promise<R> {
  let at: Resolved;
  return settled(
    () => {
      at = resolve(target);
      const client = sqliteClient(at.em);
      // 'get' gives the first row, or undefined when there is none.
      return client
        ? onSqlite<unknown>(at, client, sql, params, (stmt, bound) => stmt[method](bound))
        : onOther<Record<string, unknown>>(at, sql, params, method);
    },
    (raw) => shape(raw, (row) => mapRow<T>(at.em, entity, row)),
  );
}

export function selectOne<T>(
  target: SqlTarget,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
): Promise<T | null> {
  return select<T, T | null>(target, entity, sql, params, 'get', (raw, map) =>
    raw ? map(raw as Record<string, unknown>) : null,
  );
}

export function selectAll<T>(
  target: SqlTarget,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  return select<T, T[]>(target, entity, sql, params, 'all', (raw, map) =>
    (raw as Record<string, unknown>[]).map(map),
  );
}

/** Runs an insert, update or delete; returns the number of rows it changed. */
export function run(target: SqlTarget, sql: string, params: readonly unknown[]): Promise<number> {
  return settled(
    () => {
      const at = resolve(target);
      const client = sqliteClient(at.em);
      // A write with `returning` is a reader to better-sqlite3: it changed as many rows as it returned.
      if (client) {
        return onSqlite(at, client, sql, params, (stmt, bound) =>
          stmt.reader ? stmt.all(bound).length : stmt.run(bound).changes,
        );
      }
      return onOther<QueryResult>(at, sql, params, 'run').then((res) => res.affectedRows);
    },
    (changed) => changed,
  );
}

/** `?, ?, …` for an `in (…)` list of `n` values (n ≥ 1). */
export function placeholders(n: number): string {
  return n === 1 ? '?' : `?${', ?'.repeat(n - 1)}`;
}

/** A JSON column's value: PostgreSQL's jsonb arrives parsed, SQLite's text as a string. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Rows grouped by `key(row)`, each mapped with `map`, in row order (the `…Of(ids)` batch reads). */
export function groupRows<R, T>(
  rows: readonly R[],
  key: (row: R) => string,
  map: (row: R) => T,
): Map<string, T[]> {
  const result = new Map<string, T[]>();
  for (const row of rows) {
    const list = result.get(key(row));
    if (list) list.push(map(row));
    else result.set(key(row), [map(row)]);
  }
  return result;
}
