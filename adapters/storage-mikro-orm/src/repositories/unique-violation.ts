import { UniqueViolationError } from '@latchkey/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';

type Field = UniqueViolationError['field'];

/** A unique index of one table, and the field core names when it is violated. */
export interface UniqueIndex {
  /** The index or constraint name, as PostgreSQL reports it (`constraint`) and SQLite names expression indexes. */
  name: string;
  /** The column, as SQLite reports a plain unique index or primary key (`table.column`). */
  column?: string;
  field: Field;
}

/**
 * Turns the driver's unique-constraint error into core's `UniqueViolationError` naming the field;
 * returns `err` unchanged when it is anything else, or a unique index not listed.
 *
 * PostgreSQL puts the index name in the error's `constraint`. SQLite puts it in the message:
 * `UNIQUE constraint failed: users.email` for a column (or primary key), and
 * `UNIQUE constraint failed: index 'users_username_lower_unique'` for an expression index.
 */
export function toUniqueViolation(err: unknown, table: string, indexes: readonly UniqueIndex[]): unknown {
  if (!(err instanceof UniqueConstraintViolationException)) return err;
  const constraint = (err as { constraint?: unknown }).constraint;
  if (typeof constraint === 'string') {
    const hit = indexes.find((i) => i.name === constraint);
    return hit ? new UniqueViolationError(hit.field) : err;
  }
  const failed = /UNIQUE constraint failed: (.*)$/m.exec(err.message)?.[1];
  if (failed === undefined) return err;
  const parts = failed.split(', ').map((s) => s.trim());
  const hit = indexes.find(
    (i) =>
      parts.includes(`index '${i.name}'`) ||
      (i.column !== undefined && parts.includes(`${table}.${i.column}`)),
  );
  return hit ? new UniqueViolationError(hit.field) : err;
}
