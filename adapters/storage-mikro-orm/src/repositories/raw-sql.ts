import type { EntityData, QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';

/**
 * Hand-written SQL for the hot paths (sign-in, session check), where MikroORM's query builder and
 * hydration cost several times the statement itself.
 *
 * The SQL must be dialect-neutral: lower-case unquoted identifiers, `?` placeholders (MikroORM
 * inlines each value with the platform's quoting: a Date becomes epoch milliseconds on SQLite and a
 * timestamp literal on PostgreSQL, a boolean `true`/`false`). JSON values are passed as strings
 * (`JSON.stringify`): an array would otherwise be quoted as a list.
 *
 * Statements go through `em.execute`, which runs them on the em's transaction when there is one
 * (`getTransactionContext()`), so inside `inTransaction` they join it like any other statement.
 */

/** An entity defined with `defineEntity`: its class name keys MikroORM's metadata. */
export interface EntitySchemaLike {
  meta: { className: string };
}

/**
 * Rows come back as the engine gives them; `mapResult` renames columns to properties and turns the
 * engine's timestamps (SQLite epoch ms, PostgreSQL Dates) into Dates and SQLite's 0/1 into booleans.
 * JSON columns stay as the engine returns them (a string on SQLite): see `parseJson`.
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
  // 'get' gives the first row, or undefined when there is none.
  const raw = (await em.execute<Record<string, unknown>>(sql, [...params], 'get')) as
    Record<string, unknown> | undefined;
  return raw ? mapRow<T>(em, entity, raw) : null;
}

export async function selectAll<T>(
  em: SqlEntityManager,
  entity: EntitySchemaLike,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const rows = await em.execute<Record<string, unknown>[]>(sql, [...params], 'all');
  return rows.map((raw) => mapRow<T>(em, entity, raw));
}

/** Runs an insert, update or delete; returns the number of rows it changed. */
export async function run(em: SqlEntityManager, sql: string, params: readonly unknown[]): Promise<number> {
  const res = await em.execute<QueryResult>(sql, [...params], 'run');
  return res.affectedRows;
}

/** A JSON column's value: PostgreSQL's jsonb arrives parsed, SQLite's text as a string. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
