import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const SERVERS = join(dirname(fileURLToPath(import.meta.url)), '..', 'servers');
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Only loopback targets: the runner never drives load at anything else. */
const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:\d+$/;

/** Children still running (each with its exit promise), so an interrupted run leaves none behind. */
const running = new Map();

/**
 * Starts `servers/<spec.script>` in its own process and resolves once it prints its URL.
 * @param {{ script: string, args?: string[], env?: Record<string, string> }} spec
 * @param {{ nodeArgs?: string[] }} [options]
 * @returns {Promise<{ url: string, pid: number, stop(): Promise<void> }>}
 */
export async function startServer(spec, options = {}) {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(SERVERS, spec.script), ...(spec.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, ...spec.env },
    },
  );
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return { code, signal };
  });
  running.set(child, exited);
  const label = [spec.script, ...(spec.args ?? [])].join(' ');

  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label}: not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onLine = (line) => {
      if (!LOOPBACK_URL.test(line.trim())) {
        process.stderr.write(`[${label}] ${line}\n`);
        return;
      }
      clearTimeout(timer);
      lines.off('line', onLine);
      // Anything the server writes later (warn-level logs) goes to our stderr; the pipe must keep draining.
      lines.on('line', (rest) => process.stderr.write(`[${label}] ${rest}\n`));
      resolve(line.trim());
    };
    lines.on('line', onLine);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited before it was ready (code ${code}, signal ${signal})`));
    });
  }).catch(async (error) => {
    await kill(child, exited);
    throw error;
  });

  return { url, pid: child.pid, stop: () => kill(child, exited) };
}

async function kill(child, exited) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const result = await Promise.race([exited, delay(STOP_TIMEOUT_MS, 'timeout')]);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Stops every child still running (on an error or Ctrl-C in the runner). */
export async function stopAll() {
  await Promise.all([...running].map(([child, exited]) => kill(child, exited)));
}

/**
 * CPU time (user + system, all threads) a process has used so far, in µs, from /proc/<pid>/stat; null
 * where there is no /proc. Its resolution is a clock tick (10 ms), fine over seconds of load. Unlike
 * req/s, CPU per request hardly moves when other processes take cores from the server.
 */
export function cpuMicros(pid) {
  return statCpuMicros(`/proc/${pid}/stat`);
}

/**
 * The same for the process's main thread alone (/proc/<pid>/task/<pid>/stat): the event loop, which
 * is what saturates first on this 2-core machine, while libuv's pool (signing) and V8's helper threads
 * run beside it.
 */
export function mainThreadCpuMicros(pid) {
  return statCpuMicros(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMicros(file) {
  try {
    const stat = readFileSync(file, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
/** `getconf CLK_TCK`: 100 on every Linux build Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
