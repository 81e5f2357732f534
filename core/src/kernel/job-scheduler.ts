import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/database.port.js';
import type { JobLockRepository } from '../storage/job-lock.port.js';
import { parseDuration } from './duration.js';
import type { Logger } from './logger.js';

export interface JobDefinition {
  id: string;
  /** Interval between runs: `30s`, `1h`, `1d` or milliseconds. */
  every: string | number;
  /** Run once across all instances sharing the database (a lease in `job_locks`). */
  singleton?: boolean;
  /** Delay before the first run; defaults to `every`. */
  firstRunAfter?: string | number;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs jobs on intervals. A singleton job takes a database lease as long as its interval before each
 * run and keeps renewing it, so while its instance lives no other instance runs the job; when it dies,
 * the lease expires and another instance takes over (Pocket ID: jobs run once per cluster).
 */
export class JobScheduler {
  private readonly jobs: JobDefinition[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private started = false;
  readonly instanceId = randomUUID();

  constructor(
    private readonly deps: {
      locks: JobLockRepository;
      database: Pick<Database, 'withScope'>;
      logger: Logger;
    },
  ) {}

  schedule(job: JobDefinition): void {
    if (this.jobs.some((j) => j.id === job.id)) throw new Error(`Job ${job.id} is already scheduled`);
    parseDuration(job.every); // fail at registration, not at the first tick
    this.jobs.push(job);
    if (this.started) this.arm(job);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs) this.arm(job);
  }

  /** Runs a job now (outside its schedule), honouring its singleton lease. Resolves when it has run. */
  async runNow(id: string): Promise<boolean> {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new Error(`Unknown job ${id}`);
    return this.tick(job);
  }

  /** Stops scheduling, aborts running jobs' signals and waits for them to finish. */
  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.controller.abort();
    await Promise.allSettled([...this.running]);
    await Promise.allSettled(
      this.jobs
        .filter((j) => j.singleton)
        .map((j) => this.deps.locks.release(`job:${j.id}`, this.instanceId)),
    );
  }

  private arm(job: JobDefinition, delay = parseDuration(job.firstRunAfter ?? job.every)): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.tick(job).finally(() => {
        if (this.started) this.arm(job, parseDuration(job.every));
      });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async tick(job: JobDefinition): Promise<boolean> {
    const run = (async () => {
      if (job.singleton) {
        const leaseMs = parseDuration(job.every) + 30_000;
        if (!(await this.deps.locks.tryAcquire(`job:${job.id}`, this.instanceId, leaseMs))) return false;
      }
      await this.deps.database.withScope(() => job.run(this.controller.signal));
      return true;
    })();
    const tracked = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(tracked);
    try {
      return await run;
    } catch (err) {
      this.deps.logger.error({ err, job: job.id }, 'a scheduled job failed; it runs again on schedule');
      return false;
    } finally {
      this.running.delete(tracked);
    }
  }
}
