import type { EntityData, QueryResult } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';

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
 *   alike), otherwise the one the knex pool lends for the duration of the call. The pool holds the
 *   single SQLite connection, so borrowing it waits while another request's transaction holds it, and
 *   a statement can never land inside someone else's transaction.
 * - **PostgreSQL** goes through `em.execute` (MikroORM inlines the values with the platform's quoting),
 *   which also runs on the em's transaction when there is one.
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
 */
async function onSqlite<T>(
  em: SqlEntityManager,
  client: Knex.Client,
  sql: string,
  params: readonly unknown[],
  fn: (stmt: SqliteStatement, bound: unknown[]) => T,
): Promise<T> {
  const bound = params.map(bindable);
  const trx = em.getTransactionContext<Knex.Transaction>();
  const db = (await (trx ? trx.client : client).acquireConnection()) as SqliteDatabase;
  try {
    return fn(cachedStatement(db, sql), bound);
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    // A transaction's client returns the same connection every time and releases nothing.
    if (!trx) void client.releaseConnection(db);
  }
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

export async function selectOne<T>(
  em: SqlEntityManager,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
): Promise<T | null> {
  const client = sqliteClient(em);
  // 'get' gives the first row, or undefined when there is none.
  const raw = client
    ? await onSqlite(em, client, sql, params, (stmt, bound) => stmt.get(bound))
    : await em.execute<Record<string, unknown>>(sql, checked(params), 'get');
  return raw ? mapRow<T>(em, entity, raw as Record<string, unknown>) : null;
}

export async function selectAll<T>(
  em: SqlEntityManager,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const client = sqliteClient(em);
  const rows = client
    ? await onSqlite(em, client, sql, params, (stmt, bound) => stmt.all(bound))
    : await em.execute<Record<string, unknown>[]>(sql, checked(params), 'all');
  return rows.map((raw) => mapRow<T>(em, entity, raw as Record<string, unknown>));
}

/** Runs an insert, update or delete; returns the number of rows it changed. */
export async function run(em: SqlEntityManager, sql: string, params: readonly unknown[]): Promise<number> {
  const client = sqliteClient(em);
  if (client) {
    // A write with `returning` is a reader to better-sqlite3: it changed as many rows as it returned.
    return onSqlite(em, client, sql, params, (stmt, bound) =>
      stmt.reader ? stmt.all(bound).length : stmt.run(bound).changes,
    );
  }
  const res = await em.execute<QueryResult>(sql, checked(params), 'run');
  return res.affectedRows;
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
