import { p } from '@mikro-orm/core';

/**
 * Column shapes shared by the entities.
 *
 * Ids are UUID strings in a varchar(36), not PostgreSQL's `uuid` type: a malformed id in a URL must
 * find nothing on both engines, not raise "invalid input syntax for type uuid" on one of them.
 *
 * Timestamps are always written by the application (`onCreate`), never by a database default:
 * MikroORM stores a Date in SQLite as epoch milliseconds, while `current_timestamp` would write text,
 * and mixed representations break comparisons such as `expires_at < ?`.
 */
export const uuidPk = () => p.string().length(36).primary();
export const createdAt = () => p.datetime().onCreate(() => new Date());
export const updatedAt = () =>
  p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
