import { STATIC_API_USER_ID, USER_LIST_SORTABLE } from '@latchkey/core';
import type { NewUser, User, UserListCriteria, UserPatch, UserRepository } from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { InferEntity, QueryResult } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ParsedConnectionString } from '../connection.js';
import { UserEntity } from '../entities/user.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { selectOne, type SqlTarget } from './raw-sql.js';
import { bumpRevision, CLIENTS_REVISION } from './revision-cache.js';
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
where not exists (select 1 from users where id <> '${STATIC_API_USER_ID}')`;
const FIRST_USER_LOCK = `select pg_advisory_xact_lock(hashtext('latchkey.users.first'))`;
const ADMINS_LOCK = `select pg_advisory_xact_lock(hashtext('latchkey.users.admins'))`;

/** Hand-written SQL for the lookups every sign-in and session check makes (see raw-sql.ts). */
const SELECT = `select id, username, email, email_verified, first_name, last_name, display_name, locale, is_admin,
disabled, ldap_id, created_at, updated_at from users`;
const BY_ID = `${SELECT} where id = ?`;
const BY_USERNAME = `${SELECT} where lower(username) = lower(?)`;
const BY_EMAIL = `${SELECT} where email = ?`;
const BY_EMAIL_ANY_CASE = `${SELECT} where lower(email) = lower(?) order by created_at, id limit 1`;

/** Columns the admin list sorts and filters by (core's USER_LIST_SORTABLE / USER_LIST_FILTERABLE). */
const SORTABLE = new Set<string>(USER_LIST_SORTABLE);
const FILTERABLE = new Set(['emailVerified', 'isAdmin', 'disabled']);
const TEXT_COLUMNS: Record<string, string> = {
  username: 'username',
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  displayName: 'display_name',
};

/** `LIKE` with `!` as the escape character, the same on both engines. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
const SEARCH = ['email', 'first_name', 'last_name', 'username']
  .map((c) => `lower(u.${c}) like ? escape '!'`)
  .join(' or ');

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
    return this.findOne(this.orm, BY_ID, id);
  }

  /** Unique on `lower(username)`: at most one row, no order needed. */
  async findByUsername(username: string): Promise<User | null> {
    return this.findOne(this.orm, BY_USERNAME, username);
  }

  async findByEmail(email: string): Promise<User | null> {
    return (
      (await this.findOne(this.orm, BY_EMAIL, email)) ??
      (await this.findOne(this.orm, BY_EMAIL_ANY_CASE, email))
    );
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
        return changed === 0 ? null : this.findOne(em, BY_ID, id);
      });
    } catch (err) {
      throw toUniqueViolation(err, 'users', USER_INDEXES);
    }
  }

  async findByIds(ids: string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await currentEm(this.orm).find(
      UserEntity,
      { id: { $in: [...new Set(ids)] } },
      { disableIdentityMap: true, orderBy: { username: 'asc', id: 'asc' } },
    );
    return rows.map(toDomain);
  }

  async count(criteria?: UserListCriteria): Promise<number> {
    if (!criteria) return currentEm(this.orm).count(UserEntity, { id: { $ne: STATIC_API_USER_ID } });
    return this.query(currentEm(this.orm), criteria).getCount();
  }

  async list(criteria: UserListCriteria, offset: number, limit: number): Promise<User[]> {
    const em = currentEm(this.orm);
    const qb = this.query(em, criteria).select('u.id').offset(offset).limit(limit);
    const direction = criteria.sort?.direction ?? 'asc';
    const column = criteria.sort && SORTABLE.has(criteria.sort.column) ? criteria.sort.column : 'createdAt';
    // Text sorts ignore case, so both engines (and any PostgreSQL collation) give the same order.
    const key = TEXT_COLUMNS[column] ? raw(`lower(u.${TEXT_COLUMNS[column]})`) : column;
    qb.orderBy([{ [key]: direction }, { id: 'asc' }]);
    const ids = (await qb.execute<{ id: string }[]>('all')).map((r) => r.id);
    const rows = await em.find(UserEntity, { id: { $in: ids } }, { disableIdentityMap: true });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => (byId.has(id) ? [toDomain(byId.get(id)!)] : []));
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.orm, async (em) => {
      if ((await em.nativeDelete(UserEntity, { id })) === 0) return false;
      // The clients this user created lose their `created_by_id`: cached clients must notice.
      await bumpRevision(em, CLIENTS_REVISION);
      return true;
    });
  }

  async countActiveAdmins(): Promise<number> {
    return currentEm(this.orm).count(UserEntity, {
      isAdmin: true,
      disabled: false,
      id: { $ne: STATIC_API_USER_ID },
    });
  }

  /**
   * PostgreSQL: a transaction-level advisory lock. SQLite needs none: a write transaction holds the
   * database's single write lock, and MikroORM's one connection runs transactions one at a time.
   */
  async lockAdmins(): Promise<void> {
    if (this.dialect === 'postgresql') await currentEm(this.orm).execute(ADMINS_LOCK);
  }

  private query(em: SqlEntityManager, criteria: UserListCriteria) {
    const where: Record<string, unknown> = {};
    for (const [field, values] of Object.entries(criteria.filters ?? {})) {
      if (FILTERABLE.has(field) && values.length > 0) where[field] = { $in: values };
    }
    const qb = em.createQueryBuilder(UserEntity, 'u').where(where);
    if (criteria.search) {
      const pattern = likePattern(criteria.search);
      qb.andWhere(`(${SEARCH})`, [pattern, pattern, pattern, pattern]);
    }
    return qb;
  }

  /** `target`: the ORM (no fork needed, see raw-sql.ts), or a transaction's em. */
  private async findOne(target: SqlTarget, sql: string, param: string): Promise<User | null> {
    const row = await selectOne<UserRow>(target, UserEntity, sql, [param]);
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
