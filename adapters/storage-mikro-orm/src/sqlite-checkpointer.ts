import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a worker thread of their own, off the event loop.
 *
 * Departure from SQLite's default: by default the connection that commits a transaction which takes
 * the WAL past `wal_autocheckpoint` pages (1,000) runs the checkpoint there and then: it copies every
 * page of the WAL into the database file and syncs it, inside that COMMIT. Latchkey has one SQLite
 * connection per process, so that commit, and every request waiting behind it, stalls for it. Measured
 * here, checkpoints were about half the wall time of an indexed insert's commit (an access-token
 * record: 123 µs → 69 µs without them) and the largest single cost of a refresh or a code exchange.
 *
 * So a worker thread with its own connection to the same file runs `PRAGMA wal_checkpoint(PASSIVE)`
 * every `intervalMs` while there are frames to copy. PASSIVE never waits for a lock and never blocks
 * the writer; what it cannot copy yet it copies next time. The main connection's `wal_autocheckpoint`
 * stays as a backstop, raised to `BACKSTOP_PAGES` unless the DSN sets it: should the worker fall
 * behind or die, the WAL still cannot grow without bound. Durability is unchanged: a checkpoint only
 * moves committed pages from the WAL into the database file.
 *
 * Only for a WAL database in a file: an in-memory database is private to its connection, and in the
 * other journal modes there is no WAL to checkpoint.
 */
export const BACKSTOP_PAGES = 10_000;
export const CHECKPOINT_INTERVAL_MS = 50;

/**
 * The worker, evaluated from a string so it runs the same from src/ (tests) and dist/. It loads its
 * modules with `import()`, which works whether Node evaluates it as CommonJS or, under
 * `--input-type=module` (inherited by workers), as a module, where `require` does not exist. A 'stop'
 * sent meanwhile waits in the port until the listener is attached.
 */
const WORKER_SOURCE = `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const { default: Database } = await import(workerData.driver);
  const db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('busy_timeout = ' + workerData.busyTimeout);
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  let timer;
  let stopped = false;
  function tick() {
    try {
      const { log, checkpointed } = checkpoint.get();
      if (log > 0) parentPort.postMessage({ log, checkpointed });
    } catch (err) {
      parentPort.postMessage({ error: String((err && err.message) || err) });
    }
    if (!stopped) timer = setTimeout(tick, workerData.intervalMs);
  }
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    stopped = true;
    clearTimeout(timer);
    db.close();
    parentPort.close();
  });
  tick();
});
`;

export interface CheckpointerOptions {
  path: string;
  busyTimeoutMs: number;
  intervalMs?: number;
  /** Told once about a checkpoint that failed (an I/O error, a corrupt file); the backstop takes over. */
  onError?: (message: string) => void;
}

export class SqliteCheckpointer {
  /** What the last checkpoint that found a WAL reported: frames in it, and frames copied out. */
  last = { log: 0, checkpointed: 0 };
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;
  private exited = false;
  private errorReported = false;

  constructor(private readonly options: CheckpointerOptions) {
    // better-sqlite3 is resolved here, where npm put it for this package, and handed to the worker.
    // As a file URL: import() takes a URL, not a path.
    const driver = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        path: options.path,
        busyTimeout: options.busyTimeoutMs,
        intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      },
    });
    // A process that forgets to close the database must still be able to exit.
    this.worker.unref();
    this.worker.on('message', (message: { log?: number; checkpointed?: number; error?: string }) => {
      if (message.error !== undefined) this.report(message.error);
      else this.last = { log: message.log ?? 0, checkpointed: message.checkpointed ?? 0 };
    });
    this.worker.on('error', (err) => this.report(err.message));
    this.worker.once('exit', () => (this.exited = true));
  }

  /** Stops the worker and closes its connection; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      // Held open until it has gone: else a process whose last work is this stop could end first, with
      // the promise unsettled (exit code 13 under a top-level await).
      this.worker.ref();
      this.worker.postMessage('stop');
      // A worker stuck in a checkpoint still goes: its connection is closed with the thread.
      setTimeout(() => void this.worker.terminate(), 2_000).unref();
    });
    return this.stopping;
  }

  private report(message: string): void {
    if (this.errorReported) return;
    this.errorReported = true;
    this.options.onError?.(message);
  }
}
