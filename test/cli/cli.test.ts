import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/server.js';

/** The `latchkey` CLI as an operator meets it: a real process, the environment, a working directory. */
// Each test spawns the CLI several times (a cold Node start each): on a busy 2-core machine that takes
// longer than the default 30 s, which is a budget for one request, not for six processes.
describe('latchkey CLI', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latchkey-cli-'));
    env = { ENCRYPTION_KEY: 'cli-test-encryption-key-42', LOG_LEVEL: 'error' };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates a fresh SQLite database, then finds it up to date', async () => {
    const first = await runCli(['migrate'], { env, cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    await stat(join(dir, 'data/latchkey.db'));
    const second = await runCli(['migrate'], { env, cwd: dir });
    expect(second.stdout).toContain('up to date');
  });

  it('reads .env like the server does', async () => {
    await writeFile(join(dir, '.env'), 'DB_CONNECTION_STRING=other.db\n');
    expect((await runCli(['migrate'], { env, cwd: dir })).code).toBe(0);
    await stat(join(dir, 'other.db'));
  });

  it('exits 1 naming the variable when a value is malformed', async () => {
    const res = await runCli(['migrate'], { env: { ...env, PORT: 'abc' }, cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('PORT');
    const url = await runCli(['migrate'], {
      env: { ...env, APP_URL: 'https://id.example.com/sub' },
      cwd: dir,
    });
    expect(url.code).toBe(1);
    expect(url.stderr).toContain('APP_URL');
  });

  it('exits 1 naming the flag when the algorithm is unknown', async () => {
    const res = await runCli(['key-rotate', '--alg', 'HS256'], { env, cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--alg');
  });

  it('exits 1 naming DB_CONNECTION_STRING, with the password hidden, when the database is unreachable', async () => {
    const port = await freePort();
    const res = await runCli(['migrate'], {
      env: { ...env, DB_CONNECTION_STRING: `postgres://lk:hunter2secret@127.0.0.1:${port}/lk` },
      cwd: dir,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('DB_CONNECTION_STRING');
    expect(res.stderr).not.toContain('hunter2secret');
  });

  it('rotates the signing key, and refuses to start with the wrong encryption key without touching the keys', async () => {
    expect((await runCli(['key-rotate', '--alg', 'EdDSA', '--crv', 'Ed25519'], { env, cwd: dir })).code).toBe(
      0,
    );
    const dbBefore = await readFile(join(dir, 'data/latchkey.db'));
    const wrong = await runCli(['key-rotate', '--alg', 'ES384'], {
      env: { ...env, ENCRYPTION_KEY: 'another-key-entirely-000' },
      cwd: dir,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/ENCRYPTION_KEY/);
    expect(wrong.stderr).toContain('LATCHKEY_ERR_KEY_DECRYPT');
    // nothing was rewritten: the key rows are unchanged
    expect((await readFile(join(dir, 'data/latchkey.db'))).equals(dbBefore)).toBe(true);
  });

  it('re-encrypts under a new encryption key: the new key works, the old one no longer does', async () => {
    expect((await runCli(['migrate'], { env, cwd: dir })).code).toBe(0);
    expect((await runCli(['key-rotate'], { env, cwd: dir })).code).toBe(0);
    const short = await runCli(['encryption-key-rotate', '--new-key', 'short'], { env, cwd: dir });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('--new-key');
    const rotated = await runCli(['encryption-key-rotate', '--new-key', 'a-brand-new-encryption-key'], {
      env,
      cwd: dir,
    });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/Re-encrypted 2 signing key/);
    expect(
      (
        await runCli(['key-rotate'], {
          env: { ...env, ENCRYPTION_KEY: 'a-brand-new-encryption-key' },
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    const old = await runCli(['key-rotate'], { env, cwd: dir });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('LATCHKEY_ERR_KEY_DECRYPT');
  });

  it('generates an encryption key file on first start when none is given, and reuses it', async () => {
    const first = await runCli(['key-rotate'], { env: { LOG_LEVEL: 'warn' }, cwd: dir });
    expect(first.code).toBe(0);
    const keyFile = join(dir, 'data/.encryption-key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(first.stdout + first.stderr).toMatch(/back/i);
    const key = await readFile(keyFile);
    expect((await runCli(['key-rotate'], { env: { LOG_LEVEL: 'warn' }, cwd: dir })).code).toBe(0);
    expect((await readFile(keyFile)).equals(key)).toBe(true);
  });
});
