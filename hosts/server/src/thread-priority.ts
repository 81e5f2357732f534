/**
 * Gives the event loop priority over the process's helper threads (`HELPER_THREAD_NICE`), on Linux.
 *
 * Why: an RSA signature (about 280 µs here) runs on libuv's thread pool, four threads by default. On a
 * machine with fewer free cores than runnable threads, the kernel shares the cores equally among them,
 * so under load the pool threads take the event loop's core while it is the one thread that parses
 * requests, reads the database and asks for the next signatures: measured on 2 cores, 16 % of the
 * machine sat idle while RS256 refreshes queued (docs/benchmarks.md). With the helpers a few nice steps
 * below the event loop, the loop runs whenever it has work and the signatures fill every spare cycle.
 *
 * Departure from the default: Node leaves every thread at the process's priority. The helpers lowered
 * here are libuv's pool (signatures, file system, DNS), V8's platform threads (concurrent GC and
 * compilation) and the worker threads alive when it runs (the SQLite checkpointer); the signing
 * workers, which start later, lower themselves (batch-signer.ts). A nice value counts against every
 * thread in the same scheduling group (the same CPU cgroup, or the same session under autogroup):
 * beside other busy processes there, the helpers get a smaller share than they would at the default;
 * processes in other groups are not affected. `HELPER_THREAD_NICE=0` keeps Node's default.
 *
 * Only ever lowers a priority (which needs no privilege): a thread already at or below the target is
 * left alone. A process started with `nice -n 5` puts its helpers at 5 + HELPER_THREAD_NICE (at most 19).
 */
import { readdir } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The lowest priority Linux has. */
const MAX_NICE = 19;

export interface HelperThreadsLowered {
  /** The nice value the helpers were given (the event loop's plus `nice`, at most 19). */
  nice: number;
  /** Threads lowered now; those already at or below `nice` are not counted. */
  lowered: number;
}

/**
 * Lowers every thread of this process but the event loop's to the event loop's priority plus `nice`.
 * Returns null when there is nothing to do: `nice` 0, not Linux, or not called on the main thread.
 * Meant for the process's entry point (`latchkey serve`), once it listens; a library (or a test
 * process holding other work) should not reprioritise threads it does not own.
 */
export async function lowerHelperThreads(nice: number): Promise<HelperThreadsLowered | null> {
  if (nice <= 0 || process.platform !== 'linux' || !isMainThread) return null;
  const mainTid = process.pid;
  const target = Math.min(MAX_NICE, getPriority(0) + nice);
  let lowered = 0;
  // This readdir is a job on libuv's pool, which starts all its threads on its first job: they are all
  // in the listing even when nothing has used the pool before.
  for (const entry of await readdir('/proc/self/task')) {
    const tid = Number(entry);
    if (tid === mainTid) continue;
    try {
      // On Linux a nice value belongs to a thread, and setpriority(2) takes a thread id.
      if (getPriority(tid) >= target) continue;
      setPriority(tid, target);
      lowered++;
    } catch (error) {
      // The thread ended between the listing and now.
      if ((error as { info?: { code?: string } }).info?.code === 'ESRCH') continue;
      throw error;
    }
  }
  return { nice: target, lowered };
}
