import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { Constructor, IMigrationGenerator, MigrationObject, Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '@latchkey/core';
import { redactConnectionString } from './connection.js';
import type { ParsedConnectionString } from './connection.js';
import { allEntities } from './entities/index.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { BACKSTOP_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.js';
import { usePinnedTransactions } from './unit-of-work.js';

/** The MikroORM instance this package opens: SQLite and PostgreSQL are both knex-based SQL drivers. */
export type LatchkeyOrm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

export const DB_UNREACHABLE = 'LATCHKEY_ERR_DB_UNREACHABLE';

/** Thrown when the database cannot be opened; `code` is stable, the message names the variable to fix. */
export class DatabaseUnreachableError extends Error {
  readonly code = DB_UNREACHABLE;
  override readonly name = 'DatabaseUnreachableError';
}

export interface OpenOrmOptions {
  logger: Logger;
  /** Used by the migration script to write files in this package's own format. */
  migrationGenerator?: Constructor<IMigrationGenerator>;
}

export const PG_CONNECT_TIMEOUT_MS = 5_000;

/** Each ORM gets its own context name: two storages in one process (tests, tools) must never see each other's forks. */
let instanceCounter = 0;

export function migrationsFor(dialect: ParsedConnectionString['dialect']): MigrationObject[] {
  return dialect === 'sqlite' ? sqliteMigrations : postgresqlMigrations;
}

/**
 * Opens MikroORM for a parsed connection string and proves the database answers.
 * The driver package is imported on demand, so a SQLite deployment never loads `pg` and a PostgreSQL
 * one never loads the better-sqlite3 binding.
 */
export async function openOrm(conn: ParsedConnectionString, options: OpenOrmOptions): Promise<LatchkeyOrm> {
  const log = options.logger;
  const common: Options = {
    entities: allEntities,
    contextName: `latchkey-${++instanceCounter}`,
    // Schema changes come only from migrations: never create databases or tables implicitly.
    ensureDatabase: false,
    // init's own connection check only logs a failure; `checkConnection` below is the one attempt.
    connect: false,
    allowGlobalContext: false,
    debug: false,
    logger: (message: string) => log.debug({ component: 'mikro-orm' }, message),
    extensions: [Migrator],
    migrations: {
      // Explicit list, no globbing: works the same from src/ and dist/.
      migrationsList: migrationsFor(conn.dialect),
      // The snapshot would be written next to the migrations at run time; the diff script reads a live database instead.
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
      // true would run `set session_replication_role = replica` on PostgreSQL, which needs a superuser.
      disableForeignKeys: false,
      ...(options.migrationGenerator ? { generator: options.migrationGenerator } : {}),
    },
  };

  let orm: LatchkeyOrm;
  let checkpointer: SqliteCheckpointer | undefined;
  if (conn.dialect === 'sqlite') {
    const { BetterSqliteDriver } = await import('@mikro-orm/better-sqlite');
    // WAL checkpoints run on a worker thread; the connection's own is the backstop (sqlite-checkpointer.ts).
    const backgroundCheckpoints =
      conn.path !== ':memory:' &&
      conn.pragmas.journal_mode === 'WAL' &&
      conn.pragmas.locking_mode !== 'EXCLUSIVE';
    const pragmas = Object.entries(
      backgroundCheckpoints && conn.pragmas.wal_autocheckpoint === undefined
        ? { ...conn.pragmas, wal_autocheckpoint: String(BACKSTOP_PAGES) }
        : conn.pragmas,
    );
    try {
      if (conn.path !== ':memory:') await mkdir(dirname(resolve(conn.path)), { recursive: true });
      orm = (await MikroORM.init({
        ...common,
        driver: BetterSqliteDriver,
        dbName: conn.path,
        pool: {
          // knex's better-sqlite3 client passes only `readonly` and `nativeBinding` to the driver (no
          // `timeout`), so busy_timeout and the rest are set here, on each new connection.
          afterCreate(db: { pragma(sql: string): unknown }, done: (err: unknown, db: unknown) => void) {
            try {
              for (const [name, value] of pragmas) db.pragma(`${name} = ${value}`);
              done(null, db);
            } catch (err) {
              done(err, db);
            }
          },
        },
      })) as unknown as LatchkeyOrm;
    } catch (err) {
      throw unreachable(conn.path, err);
    }
    if (backgroundCheckpoints) {
      const path = resolve(conn.path);
      checkpointer = new SqliteCheckpointer({
        path,
        busyTimeoutMs: Number(conn.pragmas.busy_timeout ?? 5000),
        onError: (message) =>
          options.logger.warn(
            { path, error: message },
            'background WAL checkpoints failed; the connection checkpoints by itself from now on',
          ),
      });
      // Stopped with the ORM, whoever closes it.
      const close = orm.close.bind(orm);
      orm.close = async (force?: boolean) => {
        await checkpointer?.stop();
        return close(force);
      };
    }
  } else {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    orm = (await MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: conn.url,
      // min 0: no connections are opened in the background, so a failed start leaves nothing behind.
      pool: { min: 0, max: 10 },
      driverOptions: {
        // MikroORM reads only host, port, user, password, database and `schema` from `clientUrl`; the
        // connection string passed to pg as well keeps libpq parameters such as `sslmode`.
        connection: { connectionString: conn.url, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS },
        acquireConnectionTimeout: PG_CONNECT_TIMEOUT_MS * 2,
      },
    })) as unknown as LatchkeyOrm;
  }

  // Transactions on a borrowed connection instead of knex's Transaction: unit-of-work.ts says why.
  usePinnedTransactions(orm);
  const check = await orm.checkConnection();
  if (!check.ok) {
    await checkpointer?.stop();
    await orm.close(true);
    throw unreachable(conn.dialect === 'sqlite' ? conn.path : conn.url, check.error ?? check.reason);
  }
  return orm;
}

function unreachable(connectionString: string, cause: unknown): DatabaseUnreachableError {
  const redacted = redactConnectionString(connectionString);
  let reason = cause instanceof Error ? cause.message : String(cause);
  // Drivers do not echo passwords today; make sure a future one cannot either.
  const password = passwordOf(connectionString);
  if (password) reason = reason.split(password).join('***');
  return new DatabaseUnreachableError(
    `Cannot open the database at DB_CONNECTION_STRING=${redacted}: ${reason}`,
    // Not the raw error: a logger serialising `cause` deeply could reach driver internals.
    { cause: reason },
  );
}

function passwordOf(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return url.password ? decodeURIComponent(url.password) : '';
  } catch {
    return '';
  }
}
