import type { Database, Logger } from '@latchkey/core';
import type { LatchkeyOrm } from './orm.js';
import { inRawTransaction, withScope } from './unit-of-work.js';

/**
 * Applying migrations is serialised across instances with a PostgreSQL advisory lock held by its own
 * session, so N instances booting together on one database apply each migration once. SQLite
 * deployments run one instance.
 */
const MIGRATION_LOCK = `hashtext('latchkey.migrations')`;

interface RawPgConnection {
  query(sql: string): Promise<unknown>;
}

export class MikroOrmDatabase implements Database {
  readonly dialect: 'sqlite' | 'postgresql';

  constructor(
    private readonly orm: LatchkeyOrm,
    dialect: 'sqlite' | 'postgresql',
    private readonly logger: Logger,
  ) {
    this.dialect = dialect;
  }

  async ping(): Promise<void> {
    await this.orm.em.getConnection().execute('select 1');
  }

  withScope<T>(fn: () => Promise<T>): Promise<T> {
    return withScope(this.orm, fn);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return inRawTransaction(this.orm, fn);
  }

  async migrate(): Promise<string[]> {
    const applied = this.dialect === 'postgresql' ? await this.migrateLocked() : await this.runMigrations();
    for (const name of applied) this.logger.info({ migration: name }, 'database migration applied');
    return applied;
  }

  async close(): Promise<void> {
    await this.orm.close(true);
  }

  private async runMigrations(): Promise<string[]> {
    const migrator = this.orm.getMigrator();
    if (this.dialect === 'postgresql') return (await migrator.up()).map((m) => m.name);

    // MikroORM alters a SQLite column by rebuilding the table (copy, drop, rename). Dropping a parent
    // table while foreign keys are on deletes every child row through ON DELETE CASCADE, and the
    // `pragma foreign_keys = off` MikroORM emits inside the migration's transaction is ignored by
    // SQLite. So, as SQLite's ALTER TABLE guide does, switch keys off around the transaction (one
    // connection per process: it is the migrator's connection) and check them afterwards.
    const conn = this.orm.em.getConnection();
    await conn.execute('pragma foreign_keys = off');
    try {
      const applied = (await migrator.up()).map((m) => m.name);
      const broken = await conn.execute('pragma foreign_key_check');
      if (broken.length > 0) {
        throw new Error(
          `After migrations ${applied.join(', ')}, ${broken.length} rows reference missing parents ` +
            `(first: ${JSON.stringify(broken[0])}). Repair the data before starting Latchkey.`,
        );
      }
      return applied;
    } finally {
      await conn.execute('pragma foreign_keys = on');
    }
  }

  private async migrateLocked(): Promise<string[]> {
    // A session-level lock needs one fixed connection; migrations run on other connections of the pool.
    const client = this.orm.em.getConnection().getKnex().client;
    const conn = (await client.acquireConnection()) as RawPgConnection;
    try {
      await conn.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
      try {
        return await this.runMigrations();
      } finally {
        await conn.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
      }
    } finally {
      await client.releaseConnection(conn);
    }
  }
}
