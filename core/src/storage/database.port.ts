/**
 * The storage engine as core sees it: liveness, a per-request unit of work, transactions and shutdown.
 * Implemented by an adapter (MikroORM today); core never sees an ORM type.
 */
export interface Database {
  /** Which engine answers; used in logs and by features whose SQL differs (e.g. locking). */
  readonly dialect: 'sqlite' | 'postgresql';
  /** Resolves when the database answers a trivial query; rejects otherwise. Used by `/healthz`. */
  ping(): Promise<void>;
  /**
   * Runs `fn` in its own unit of work (a fresh identity map), so concurrent requests never share state.
   * Every HTTP request and every job runs inside one.
   */
  withScope<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction: all of its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names of those applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}
