import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.js';

/**
 * Usernames are unique regardless of case (Pocket ID declares `COLLATE NOCASE`): a unique index on
 * `lower(username)`, which both engines support, so the database enforces it whoever writes. Look a
 * user up by `lower(username) = ?` (with the value lower-cased) to use that index. Pocket ID allows
 * only ASCII in usernames, where SQLite's and PostgreSQL's `lower()` agree.
 *
 * Not a lower-cased copy with a CHECK: MikroORM 6.6 cannot read CHECK constraints back from SQLite,
 * so every later migration would try to add it again.
 */
export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: uuidPk(),
    username: p.string(),
    email: p.string().nullable().unique(),
    emailVerified: p.boolean().default(false),
    firstName: p.string().default(''),
    lastName: p.string().nullable(),
    displayName: p.string().default(''),
    locale: p.string().length(35).nullable(),
    isAdmin: p.boolean().default(false),
    disabled: p.boolean().default(false),
    ldapId: p.string().nullable().unique(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [
    {
      name: 'users_username_lower_unique',
      expression: 'create unique index users_username_lower_unique on users (lower(username))',
    },
  ],
});
