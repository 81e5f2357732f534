import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { send } from '../support/http-client.js';
import { freePort } from '../support/server.js';

/** `latchkey serve` as a process: start, log, answer, stop on a signal, refuse bad starts clearly. */
describe('latchkey serve', () => {
  let dir: string;
  let env: Record<string, string>;
  let running: RunningCli | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latchkey-serve-'));
    const port = await freePort();
    env = {
      ENCRYPTION_KEY: 'serve-test-encryption-key-1',
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: `http://localhost:${port}`,
      LOG_LEVEL: 'info',
      LOG_JSON: 'true',
    };
  });
  afterEach(async () => {
    running?.child.kill('SIGKILL');
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['fastify', 'express'])(
    'serves on %s, logs requests with their id, and stops cleanly on SIGTERM',
    async (host) => {
      running = startCli(['serve'], {
        env: { ...env, HTTP_HOST: host, PUBLIC_APP_URL: 'http://old' },
        cwd: dir,
      });
      await running.waitFor(/Latchkey is listening/);
      const res = await send(env.APP_URL!, {
        path: '/healthz',
        headers: { authorization: 'Bearer do-not-log' },
      });
      expect(res.status).toBe(204);
      const id = res.headers['x-request-id'] as string;
      await running.waitFor(new RegExp(`"reqId":"${id}"[^\\n]*"status":204`));
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      const out = running.output();
      expect(out).toContain('stopped');
      expect(out).not.toContain('do-not-log');
      // a Pocket ID v1 variable is named with its replacement
      expect(out).toMatch(/PUBLIC_APP_URL[^\n]*APP_URL/);
    },
  );

  it('exits 1 naming the stored key when it is corrupt, and leaves it as it was', async () => {
    expect((await runCli(['migrate'], { env, cwd: dir })).code).toBe(0);
    expect((await runCli(['key-rotate'], { env, cwd: dir })).code).toBe(0);
    const file = join(dir, 'data/latchkey.db');
    const db = new Database(file);
    db.prepare("update signing_keys set encrypted_private_jwk = 'bm90LWEta2V5'").run();
    const rows = db.prepare('select kid, encrypted_private_jwk from signing_keys').all();
    db.close();
    const res = await runCli(['serve'], { env, cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/corrupt/);
    expect(res.stderr).toContain('LATCHKEY_ERR_KEY_DECRYPT');
    const after = new Database(file);
    expect(after.prepare('select kid, encrypted_private_jwk from signing_keys').all()).toEqual(rows);
    after.close();
  });

  it('exits 1 naming ENCRYPTION_KEY_FILE when the key file cannot be read', async () => {
    // a directory where the key file should be: it exists but cannot be read as a key
    const res = await runCli(['serve'], {
      env: { ...env, ENCRYPTION_KEY: '', ENCRYPTION_KEY_FILE: dir },
      cwd: dir,
      timeoutMs: 15_000,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('ENCRYPTION_KEY');
  });

  it('exits 1 when the port is taken, naming it', async () => {
    const first = startCli(['serve'], { env, cwd: dir });
    running = first;
    await first.waitFor(/Latchkey is listening/);
    const second = await runCli(['serve'], { env, cwd: dir, timeoutMs: 15_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/EADDRINUSE|in use/);
    expect(await readFile(join(dir, 'data/latchkey.db'))).toBeTruthy();
  });

  /** Each thread of a process and its nice value (on Linux, getpriority(2) takes a thread id). */
  const niceOfThreads = async (pid: number) => {
    const threads = new Map<number, number>();
    for (const tid of (await readdir(`/proc/${pid}/task`)).map(Number)) {
      try {
        threads.set(tid, getPriority(tid));
      } catch {
        // The thread ended after the listing.
      }
    }
    return threads;
  };

  it.runIf(process.platform === 'linux')(
    'runs every thread but the event loop HELPER_THREAD_NICE steps lower once it listens (10 by default, 0 for none)',
    async () => {
      for (const [value, expected] of [
        [undefined, 10],
        ['4', 4],
        ['0', 0],
      ] as const) {
        running = startCli(['serve'], { env: value ? { ...env, HELPER_THREAD_NICE: value } : env, cwd: dir });
        await running.waitFor(/Latchkey is listening/);
        if (expected > 0) await running.waitFor(/helper threads run below the event loop/);
        // It still answers.
        expect((await send(env.APP_URL!, { path: '/healthz' })).status).toBe(204);
        const pid = running.child.pid!;
        const threads = await niceOfThreads(pid);
        // The event loop keeps the priority it started with (this test's own, unless run under `nice`).
        const base = getPriority(0);
        expect(threads.get(pid)).toBe(base);
        const helpers = [...threads].filter(([tid]) => tid !== pid).map(([, nice]) => nice);
        // libuv's pool of four, V8's platform threads, the SQLite checkpointer at least.
        expect(helpers.length).toBeGreaterThanOrEqual(5);
        expect(new Set(helpers)).toEqual(new Set([Math.min(19, base + expected)]));
        if (expected === 0) expect(running.output()).not.toMatch(/helper threads run below/);
        running.child.kill('SIGTERM');
        expect(await running.exited).toBe(0);
      }
    },
  );

  it.each(['20', '-1', 'low'])('exits 1 naming HELPER_THREAD_NICE when it is %s', async (value) => {
    const res = await runCli(['serve'], {
      env: { ...env, HELPER_THREAD_NICE: value },
      cwd: dir,
      timeoutMs: 15_000,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/HELPER_THREAD_NICE must be an integer from 0 to 19/);
  });
});
