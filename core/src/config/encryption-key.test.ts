import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.errors.js';
import { loadConfig } from './config-loader.js';
import { resolveEncryptionKey } from './encryption-key.js';

const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-key-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('ENCRYPTION_KEY', () => {
  it('is used as raw bytes', () => {
    const cwd = tempDir();
    const { config, warnings } = loadConfig({
      cwd,
      dotenv: false,
      env: { ENCRYPTION_KEY: 'sixteen-bytes-ok' },
    });
    expect(config.encryptionKey.equals(Buffer.from('sixteen-bytes-ok'))).toBe(true);
    expect(config.encryptionKeySource).toBe('env');
    expect(config.encryptionKeyPath).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('shorter than 16 bytes is an error naming the variable, without quoting the key', () => {
    const error = thrown(() =>
      loadConfig({ cwd: tempDir(), dotenv: false, env: { ENCRYPTION_KEY: 'fifteen-bytes!!' } }),
    );
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_ENCRYPTION_KEY');
    expect(error.variable).toBe('ENCRYPTION_KEY');
    expect(error.message).toBe('ENCRYPTION_KEY must be at least 16 bytes long (got 15 bytes)');
  });

  it('counts bytes, not characters', () => {
    // 8 characters, 16 bytes in UTF-8
    const cwd = tempDir();
    expect(
      loadConfig({ cwd, dotenv: false, env: { ENCRYPTION_KEY: 'éééééééé' } }).config.encryptionKey.length,
    ).toBe(16);
  });
});

describe('ENCRYPTION_KEY_FILE', () => {
  it('overrides ENCRYPTION_KEY, and its bytes are used untrimmed (a trailing newline is part of the key)', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'key'), 'a-key-from-a-file\n');
    const { config } = loadConfig({
      cwd,
      dotenv: false,
      env: { ENCRYPTION_KEY: 'the-variable-loses', ENCRYPTION_KEY_FILE: 'key' },
    });
    expect(config.encryptionKey.equals(Buffer.from('a-key-from-a-file\n'))).toBe(true);
    expect(config.encryptionKeySource).toBe('file');
    expect(config.encryptionKeyPath).toBe(join(cwd, 'key'));
  });

  it('overrides even a too-short ENCRYPTION_KEY; without the file, the variable is checked', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'key'), 'a-key-from-a-file');
    const env = { ENCRYPTION_KEY: 'short', ENCRYPTION_KEY_FILE: 'key' };
    expect(loadConfig({ cwd, dotenv: false, env }).config.encryptionKeySource).toBe('file');
    const error = thrown(() =>
      loadConfig({ cwd, dotenv: false, env: { ...env, ENCRYPTION_KEY_FILE: 'gone' } }),
    );
    expect(error.message).toBe('ENCRYPTION_KEY must be at least 16 bytes long (got 5 bytes)');
  });

  it('keeps binary bytes intact', () => {
    const cwd = tempDir();
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, ...Array.from({ length: 28 }, (_, i) => i)]);
    writeFileSync(join(cwd, 'key.bin'), bytes);
    expect(resolveEncryptionKey({ cwd, encryptionKeyFile: 'key.bin' }).key.equals(bytes)).toBe(true);
  });

  it('a file shorter than 16 bytes is an error naming ENCRYPTION_KEY_FILE', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'key'), 'short\n');
    const error = thrown(() => loadConfig({ cwd, dotenv: false, env: { ENCRYPTION_KEY_FILE: 'key' } }));
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_ENCRYPTION_KEY_FILE');
    expect(error.variable).toBe('ENCRYPTION_KEY_FILE');
    expect(error.message).toBe(
      `ENCRYPTION_KEY_FILE must be at least 16 bytes long (${join(cwd, 'key')} holds 6 bytes)`,
    );
  });

  it('an unreadable file is an error naming ENCRYPTION_KEY_FILE', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'a-directory'));
    const error = thrown(() => resolveEncryptionKey({ cwd, encryptionKeyFile: 'a-directory' }));
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_ENCRYPTION_KEY_FILE');
    expect(error.message).toContain('ENCRYPTION_KEY_FILE cannot be read');
  });

  it('a missing file with ENCRYPTION_KEY set falls back to the variable, with a warning', () => {
    const cwd = tempDir();
    const resolved = resolveEncryptionKey({
      cwd,
      encryptionKey: 'sixteen-bytes-ok',
      encryptionKeyFile: 'nope',
    });
    expect(resolved.source).toBe('env');
    expect(resolved.warnings).toEqual([
      `ENCRYPTION_KEY_FILE names ${join(cwd, 'nope')}, which does not exist; using ENCRYPTION_KEY.`,
    ]);
  });
});

describe('quick start: a generated key', () => {
  it('is written to data/.encryption-key with mode 0600, with a backup warning, and reused later', () => {
    const cwd = tempDir();
    const first = loadConfig({ cwd, dotenv: false, env: {} });
    const path = join(cwd, 'data/.encryption-key');
    expect(first.config.encryptionKeySource).toBe('generated');
    expect(first.config.encryptionKeyPath).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(first.config.encryptionKey.equals(Buffer.from(text))).toBe(true);
    expect(first.warnings.some((w) => w.includes(path) && w.includes('BACK UP THIS FILE'))).toBe(true);

    const second = loadConfig({ cwd, dotenv: false, env: {} });
    expect(second.config.encryptionKey.equals(first.config.encryptionKey)).toBe(true);
    expect(second.config.encryptionKeySource).toBe('file');
    expect(second.warnings.some((w) => w.includes(path) && w.includes('backed up'))).toBe(true);
  });

  it('is written to ENCRYPTION_KEY_FILE when that names a file that does not exist yet', () => {
    const cwd = tempDir();
    const first = resolveEncryptionKey({ cwd, encryptionKeyFile: 'secrets/nested/key' });
    const path = join(cwd, 'secrets/nested/key');
    expect(first.source).toBe('generated');
    expect(first.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.warnings[0]).toContain('BACK UP THIS FILE');

    const second = resolveEncryptionKey({ cwd, encryptionKeyFile: 'secrets/nested/key' });
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.warnings).toEqual([]);
  });

  it('is not generated when ENCRYPTION_KEY is set', () => {
    const cwd = tempDir();
    resolveEncryptionKey({ cwd, encryptionKey: 'sixteen-bytes-ok' });
    expect(() => statSync(join(cwd, 'data/.encryption-key'))).toThrow();
  });

  it('is not generated when the rest of the configuration is invalid', () => {
    const cwd = tempDir();
    expect(() => loadConfig({ cwd, dotenv: false, env: { PORT: 'abc' } })).toThrow(ConfigError);
    expect(() => statSync(join(cwd, 'data'))).toThrow();
  });

  it('a damaged generated key file is an error, not a silent new key', () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data/.encryption-key'), '');
    const error = thrown(() => resolveEncryptionKey({ cwd }));
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_ENCRYPTION_KEY');
    expect(error.message).toContain('restore it from your backup');
  });

  it('a key file that cannot be created is an error naming the variable', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'data'), 'a file where the directory should be');
    const error = thrown(() => resolveEncryptionKey({ cwd }));
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_ENCRYPTION_KEY');
    expect(error.message).toContain('no encryption key could be generated');
  });
});
