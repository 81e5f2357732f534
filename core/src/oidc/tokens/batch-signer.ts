import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * Signs JWS inputs on one worker thread, a batch per event-loop turn.
 *
 * Why not node:crypto's callback form on libuv's pool, one job per signature: each job costs the event
 * loop a hand-over to a pool thread and a wake-up on its return, and on the 2-core virtual machines we
 * measure on that was about 50 µs of event-loop time per signature (a whole refresh, two signatures:
 * 405 µs of the event loop against 355 µs when signing on the loop itself; docs/benchmarks.md). Signing
 * on the loop itself is worse under load, because the signature then takes the loop's core. Here the
 * signatures asked for during one turn of the loop go to the worker in one message and come back in
 * one, so the hand-over is paid per batch, and the signing itself runs on the other core.
 *
 * Keys travel to the worker once per `kid` (a KeyObject is cloned across threads). A job the worker
 * cannot sign (an error from OpenSSL) fails alone; a worker that dies fails what it held, and the next
 * signatures start a new one. The worker keeps the process alive only while it holds jobs.
 */
export class BatchSigner {
  private worker: Worker | undefined;
  /** The keys the current worker holds, by `kid`. */
  private readonly sentKeys = new Set<string>();
  /** Every key asked for, so a new worker can be given the ones its jobs need. */
  private readonly keys = new Map<string, KeyObject>();
  private queue: Job[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private flushScheduled = false;

  /**
   * The signature of `input` (base64url) with `key`: ECDSA as the raw r‖s JWS requires, RSA with
   * PKCS #1 v1.5 padding, EdDSA over the input itself (`digest` null).
   */
  sign(input: string, digest: string | null, kid: string, key: KeyObject): Promise<string> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      if (this.keys.get(kid) !== key) {
        // A key read again (the periodic reload makes new KeyObjects) travels again, to be safe.
        this.keys.set(kid, key);
        this.sentKeys.delete(kid);
      }
      this.queue.push({ id, input, digest, kid });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn: every request the turn handled adds to the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Stops the worker; signatures it still held fail. A later signature starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('The signer was closed'));
    if (worker) await worker.terminate();
  }

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const worker = this.worker ?? this.start();
    for (const job of jobs) {
      if (this.sentKeys.has(job.kid)) continue;
      job.key = this.keys.get(job.kid);
      this.sentKeys.add(job.kid);
    }
    worker.ref();
    worker.postMessage(jobs);
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (results: Result[]) => {
      for (const [id, signature, error] of results) {
        const waiting = this.pending.get(id);
        if (!waiting) continue;
        this.pending.delete(id);
        if (signature !== null) waiting.resolve(signature);
        else waiting.reject(new Error(`Signing failed: ${error}`));
      }
      if (this.pending.size === 0) worker.unref();
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new Error(`The signing worker stopped: ${reason}`));
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    // A new worker knows no keys: each travels again with its next job.
    this.sentKeys.clear();
    return worker;
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

interface Job {
  id: number;
  input: string;
  digest: string | null;
  kid: string;
  key?: KeyObject;
}

/** `[id, signature, null]` or `[id, null, error message]`. */
type Result = [number, string | null, string | null];

interface Pending {
  resolve(signature: string): void;
  reject(error: Error): void;
}

/**
 * The worker, evaluated from a string so it runs the same from src/ (tests) and dist/. It loads its
 * modules with `import()`, which works whether Node evaluates it as CommonJS or, under
 * `--input-type=module` (inherited by workers), as a module. Messages wait in the port until the
 * listener is attached.
 */
const WORKER_SOURCE = `
Promise.all([import('node:worker_threads'), import('node:crypto')]).then(([{ parentPort }, { sign }]) => {
  const keys = new Map();
  parentPort.on('message', (jobs) => {
    const results = [];
    for (const job of jobs) {
      if (job.key) keys.set(job.kid, job.key);
      try {
        const key = keys.get(job.kid);
        if (!key) throw new Error('unknown key ' + job.kid);
        const signature = sign(job.digest, Buffer.from(job.input), { key, dsaEncoding: 'ieee-p1363' });
        results.push([job.id, signature.toString('base64url'), null]);
      } catch (err) {
        results.push([job.id, null, String((err && err.message) || err)]);
      }
    }
    parentPort.postMessage(results);
  });
});
`;
