import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Signs JWS inputs on worker threads, a batch per event-loop turn.
 *
 * Why not node:crypto's callback form on libuv's pool, one job per signature: each job costs the event
 * loop a hand-over to a pool thread and a wake-up on its return, and on the 2-core virtual machines we
 * measure on that was about 50 µs of event-loop time per signature (a whole refresh, two signatures:
 * 405 µs of the event loop against 355 µs when signing on the loop itself; docs/benchmarks.md). Signing
 * on the loop itself is worse under load, because the signature then takes the loop's core. Here the
 * signatures asked for during one turn of the loop leave in one message and come back in one, so the
 * hand-over is paid per batch, and the signing itself runs beside the event loop.
 *
 * For cheap signatures only (ES256, EdDSA: signing-key.service.ts routes them): a batch is signed in
 * turn, so an expensive signature would hold up every one after it. A batch goes to the worker with the
 * fewest signatures outstanding, and another worker (up to one per core, four at most) starts only
 * when every running one is busy.
 *
 * A worker can lower its own thread's priority by `nice` steps below the thread that starts it (Linux
 * only; `HELPER_THREAD_NICE`, hosts/server/src/thread-priority.ts says why), so that signing uses the
 * cycles the event loop leaves instead of taking its core.
 *
 * Keys travel to each worker once per `kid` (a KeyObject is cloned across threads). A job a worker
 * cannot sign (an error from OpenSSL) fails alone; a worker that dies fails what it held, and the next
 * signatures start a new one. A worker keeps the process alive only while it holds jobs.
 */
export class BatchSigner {
  private readonly lanes: Lane[] = [];
  /** Every key asked for, so a new worker can be given the ones its jobs need. */
  private readonly keys = new Map<string, KeyObject>();
  private queue: Job[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private flushScheduled = false;

  private readonly maxWorkers: number;
  private readonly nice: number;

  constructor(options: BatchSignerOptions = {}) {
    this.maxWorkers = options.maxWorkers ?? Math.min(4, Math.max(1, availableParallelism()));
    this.nice = options.nice ?? 0;
  }

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
        for (const lane of this.lanes) lane.sentKeys.delete(kid);
      }
      this.queue.push({ id, input, digest, kid });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this turn: every request the turn handled adds to the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Stops the workers; signatures they still held fail. A later signature starts a new one. */
  async close(): Promise<void> {
    const lanes = this.lanes.splice(0);
    this.queue = [];
    this.failAll(new Error('The signer was closed'));
    await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  }

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const lane = this.pickLane();
    for (const job of jobs) {
      lane.held.add(job.id);
      if (lane.sentKeys.has(job.kid)) continue;
      job.key = this.keys.get(job.kid);
      lane.sentKeys.add(job.kid);
    }
    lane.worker.ref();
    lane.worker.postMessage(jobs);
  }

  /** An idle worker, else a new one while there is room, else the one with the least outstanding. */
  private pickLane(): Lane {
    let best: Lane | undefined;
    for (const lane of this.lanes) if (!best || lane.held.size < best.held.size) best = lane;
    if (best && (best.held.size === 0 || this.lanes.length >= this.maxWorkers)) return best;
    return this.start();
  }

  private start(): Lane {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice: this.nice } });
    // A new worker knows no keys: each travels with its first job there.
    const lane: Lane = { worker, held: new Set(), sentKeys: new Set() };
    worker.on('message', (results: Result[]) => {
      for (const [id, signature, error] of results) {
        lane.held.delete(id);
        const waiting = this.pending.get(id);
        if (!waiting) continue;
        this.pending.delete(id);
        if (signature !== null) waiting.resolve(signature);
        else waiting.reject(new Error(`Signing failed: ${error}`));
      }
      if (lane.held.size === 0) worker.unref();
    });
    const lost = (reason: string) => {
      const at = this.lanes.indexOf(lane);
      if (at < 0) return;
      this.lanes.splice(at, 1);
      const error = new Error(`The signing worker stopped: ${reason}`);
      for (const id of lane.held) {
        this.pending.get(id)?.reject(error);
        this.pending.delete(id);
      }
      lane.held.clear();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.lanes.push(lane);
    return lane;
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

export interface BatchSignerOptions {
  /** At most this many workers; one per core (at most four) by default. */
  maxWorkers?: number;
  /** Nice steps each worker lowers its own thread by, on Linux (at most 19 in all); 0 by default. */
  nice?: number;
}

/** One worker, the jobs it holds and the keys it has been given. */
interface Lane {
  worker: Worker;
  held: Set<number>;
  sentKeys: Set<string>;
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
Promise.all([import('node:worker_threads'), import('node:crypto'), import('node:os')]).then(([
  { parentPort, workerData }, { sign }, { getPriority, setPriority },
]) => {
  if (workerData.nice > 0 && process.platform === 'linux') {
    // Thread id 0 is this thread alone on Linux; lowering a priority needs no privilege. A refusal (a
    // seccomp filter) only leaves the worker at its priority, which is no reason to stop signing.
    try { setPriority(0, Math.min(19, getPriority(0) + workerData.nice)); } catch {}
  }
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
