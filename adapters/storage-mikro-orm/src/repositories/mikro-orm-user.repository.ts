import type { NewUser, User, UserPatch, UserRepository } from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { InferEntity, QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ParsedConnectionString } from '../connection.js';
import { UserEntity } from '../entities/user.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { toUniqueViolation } from './unique-violation.js';
import type { UniqueIndex } from './unique-violation.js';

type UserRow = InferEntity<typeof UserEntity>;

const USER_INDEXES: readonly UniqueIndex[] = [
  { name: 'users_username_lower_unique', field: 'username' },
  { name: 'users_email_unique', column: 'email', field: 'email' },
  { name: 'users_pkey', column: 'id', field: 'id' },
];

/**
 * One statement inserts the user only while the table is empty; `affectedRows` says whether it did.
 * Alone it is atomic on SQLite (a write statement takes the write lock before it reads). PostgreSQL
 * runs it after taking a transaction-level advisory lock: under READ COMMITTED each statement gets a
 * fresh snapshot, so a caller that waited for the lock sees the user the winner committed.
 * SQLite gets no transaction on purpose: one holding the write lock across awaits would make a second
 * connection in the same process (two storages, as in tests) wait synchronously in better-sqlite3's
 * busy handler, which blocks the event loop the first needs to commit, until SQLITE_BUSY.
 */
const INSERT_IF_NO_USER = `insert into users
  (id, username, email, email_verified, first_name, last_name, display_name, locale, is_admin, disabled,
   ldap_id, created_at, updated_at)
select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
where not exists (select 1 from users)`;
const FIRST_USER_LOCK = `select pg_advisory_xact_lock(hashtext('latchkey.users.first'))`;

const PATCHABLE = [
  'username',
  'email',
  'emailVerified',
  'firstName',
  'lastName',
  'displayName',
  'isAdmin',
  'locale',
  'disabled',
  'ldapId',
] as const satisfies readonly (keyof UserPatch)[];

/**
 * Usernames are unique and looked up case-insensitively through the `lower(username)` index. Emails
 * are unique as stored (the schema's index is on `email` itself) and looked up case-insensitively:
 * an exact match first, through the index, else the oldest user whose email differs only in case.
 * Reads bypass the identity map, so nothing returned here is tracked by MikroORM.
 */
export class MikroOrmUserRepository implements UserRepository {
  constructor(
    private readonly orm: LatchkeyOrm,
    private readonly dialect: ParsedConnectionString['dialect'],
  ) {}

  async findById(id: string): Promise<User | null> {
    return this.findOne(currentEm(this.orm), { id });
  }

  async findByUsername(username: string): Promise<User | null> {
    return this.findOne(currentEm(this.orm), { [raw('lower(username)')]: raw('lower(?)', [username]) });
  }

  async findByEmail(email: string): Promise<User | null> {
    const em = currentEm(this.orm);
    return (
      (await this.findOne(em, { email })) ??
      (await this.findOne(em, { [raw('lower(email)')]: raw('lower(?)', [email]) }))
    );
  }

  async count(): Promise<number> {
    return currentEm(this.orm).count(UserEntity, {});
  }

  async insert(user: NewUser): Promise<User> {
    const row = toRow(user, new Date());
    try {
      await currentEm(this.orm).insert(UserEntity, row);
    } catch (err) {
      throw toUniqueViolation(err, 'users', USER_INDEXES);
    }
    return toDomain(row);
  }

  async insertFirstUser(user: NewUser): Promise<User | null> {
    const row = toRow(user, new Date());
    const params = [
      row.id,
      row.username,
      row.email,
      row.emailVerified,
      row.firstName,
      row.lastName,
      row.displayName,
      row.locale,
      row.isAdmin,
      row.disabled,
      row.ldapId,
      row.createdAt,
      row.updatedAt,
    ];
    const run = async (em: SqlEntityManager) =>
      (await em.execute<QueryResult>(INSERT_IF_NO_USER, params, 'run')).affectedRows;
    try {
      const inserted =
        this.dialect === 'postgresql'
          ? await inTransaction(this.orm, async (em) => {
              await em.execute(FIRST_USER_LOCK);
              return run(em);
            })
          : await run(currentEm(this.orm));
      return inserted === 1 ? toDomain(row) : null;
    } catch (err) {
      throw toUniqueViolation(err, 'users', USER_INDEXES);
    }
  }

  async update(id: string, patch: UserPatch): Promise<User | null> {
    const data: Partial<UserRow> = { updatedAt: new Date() };
    for (const key of PATCHABLE) {
      if (patch[key] !== undefined) Object.assign(data, { [key]: patch[key] });
    }
    try {
      return await inTransaction(this.orm, async (em) => {
        const changed = await em.nativeUpdate(UserEntity, { id }, data);
        return changed === 0 ? null : this.findOne(em, { id });
      });
    } catch (err) {
      throw toUniqueViolation(err, 'users', USER_INDEXES);
    }
  }

  private async findOne(em: SqlEntityManager, where: object): Promise<User | null> {
    const row = await em.findOne(UserEntity, where, {
      disableIdentityMap: true,
      orderBy: { createdAt: 'asc', id: 'asc' },
    });
    return row ? toDomain(row) : null;
  }
}

function toRow(user: NewUser, now: Date): UserRow {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    locale: user.locale,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
    ldapId: user.ldapId ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

function toDomain(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? null,
    emailVerified: row.emailVerified,
    firstName: row.firstName,
    lastName: row.lastName ?? null,
    displayName: row.displayName,
    isAdmin: row.isAdmin,
    locale: row.locale ?? null,
    disabled: row.disabled,
    ldapId: row.ldapId ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
