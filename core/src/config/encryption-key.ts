/**
 * Where the encryption key comes from. Pocket ID rules (reference: pocket-id-api.md §6):
 * - an existing `ENCRYPTION_KEY_FILE` overrides `ENCRYPTION_KEY`, and its bytes are used UNTRIMMED
 *   (a trailing newline is part of the key), unlike every other `_FILE` variable;
 * - the key is raw bytes, at least 16 of them.
 *
 * Departure from Pocket ID, which refuses to start without a key: for a quick start, when neither
 * variable gives a key, one is generated into a 0600 file (`ENCRYPTION_KEY_FILE`, or
 * `data/.encryption-key`) and read back on later starts. Losing that file loses the signing keys and
 * everything else encrypted with it, so the loader warns loudly.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config.errors.js';
import { configSchema, DEFAULT_ENCRYPTION_KEY_PATH } from './config.schema.js';

export type EncryptionKeySource = 'env' | 'file' | 'generated';

export interface ResolveEncryptionKeyOptions {
  /** `ENCRYPTION_KEY`'s value; an empty string counts as unset. */
  encryptionKey?: string | undefined;
  /** `ENCRYPTION_KEY_FILE`'s value, relative to `cwd`; an empty string counts as unset. */
  encryptionKeyFile?: string | undefined;
  /** Relative paths are resolved against this; defaults to `process.cwd()`. */
  cwd?: string | undefined;
}

export interface ResolvedEncryptionKey {
  readonly key: Buffer;
  readonly source: EncryptionKeySource;
  /** The absolute path of the file the key was read from or generated into; absent for `env`. */
  readonly path?: string;
  readonly warnings: readonly string[];
}

/** The fewest bytes a key may have; from the schema, so the docs and this check cannot drift. */
export const MIN_ENCRYPTION_KEY_BYTES: number = configSchema.properties.ENCRYPTION_KEY['x-min-bytes'];

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The file's bytes, or undefined when it does not exist. */
function readIfExists(path: string, variable: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(variable, `${variable} cannot be read (${path}: ${errnoCode(error) ?? error})`, {
      cause: error,
    });
  }
}

/**
 * Writes 32 random bytes as base64url text into a new 0600 file, atomically: the key is written to a
 * temporary file and hard-linked into place, so two instances starting together agree on one key and a
 * crash never leaves a half-written key behind. Returns the key that is in the file afterwards.
 */
function generateKeyFile(path: string, variable: string): { key: Buffer; created: boolean } {
  const text = randomBytes(32).toString('base64url');
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') return { key: readFileSync(path), created: false };
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      // A filesystem without hard links: exclusive create is still safe against a second writer.
      writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    }
    return { key: Buffer.from(text, 'utf8'), created: true };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      variable,
      `${variable} is not set and no encryption key could be generated at ${path} (${errnoCode(error) ?? error})`,
      { cause: error },
    );
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone, or never made
    }
  }
}

function backupWarning(path: string): string {
  return (
    `ENCRYPTION_KEY is not set: generated a new encryption key in ${path}. ` +
    'BACK UP THIS FILE NOW: without it the signing keys and all encrypted data are lost for good. ' +
    'Set ENCRYPTION_KEY or ENCRYPTION_KEY_FILE to manage the key yourself.'
  );
}

function tooShort(variable: string, detail: string): ConfigError {
  return new ConfigError(
    variable,
    `${variable} must be at least ${MIN_ENCRYPTION_KEY_BYTES} bytes long (${detail})`,
  );
}

/**
 * Finds the encryption key: `ENCRYPTION_KEY_FILE` if that file exists, else `ENCRYPTION_KEY`, else a
 * generated key file (see the file comment). Throws a {@link ConfigError} naming the variable at fault.
 */
export function resolveEncryptionKey(options: ResolveEncryptionKeyOptions = {}): ResolvedEncryptionKey {
  const cwd = resolve(options.cwd ?? process.cwd());
  const envKey = options.encryptionKey || undefined;
  const keyFile = options.encryptionKeyFile || undefined;
  const warnings: string[] = [];

  if (keyFile !== undefined) {
    const path = resolve(cwd, keyFile);
    const bytes = readIfExists(path, 'ENCRYPTION_KEY_FILE');
    if (bytes) {
      if (bytes.length < MIN_ENCRYPTION_KEY_BYTES) {
        throw tooShort('ENCRYPTION_KEY_FILE', `${path} holds ${bytes.length} bytes`);
      }
      return { key: bytes, source: 'file', path, warnings };
    }
    if (envKey === undefined) {
      const generated = generateKeyFile(path, 'ENCRYPTION_KEY_FILE');
      if (generated.key.length < MIN_ENCRYPTION_KEY_BYTES) {
        throw tooShort('ENCRYPTION_KEY_FILE', `${path} holds ${generated.key.length} bytes`);
      }
      if (generated.created) warnings.push(backupWarning(path));
      return { key: generated.key, source: generated.created ? 'generated' : 'file', path, warnings };
    }
    warnings.push(`ENCRYPTION_KEY_FILE names ${path}, which does not exist; using ENCRYPTION_KEY.`);
  }

  if (envKey !== undefined) {
    const key = Buffer.from(envKey, 'utf8');
    if (key.length < MIN_ENCRYPTION_KEY_BYTES) throw tooShort('ENCRYPTION_KEY', `got ${key.length} bytes`);
    return { key, source: 'env', warnings };
  }

  const path = resolve(cwd, DEFAULT_ENCRYPTION_KEY_PATH);
  const existing = readIfExists(path, 'ENCRYPTION_KEY');
  const generated = existing ? { key: existing, created: false } : generateKeyFile(path, 'ENCRYPTION_KEY');
  if (generated.key.length < MIN_ENCRYPTION_KEY_BYTES) {
    throw new ConfigError(
      'ENCRYPTION_KEY',
      `ENCRYPTION_KEY is not set, and the generated key file ${path} holds only ${generated.key.length} bytes ` +
        `(at least ${MIN_ENCRYPTION_KEY_BYTES} are needed); restore it from your backup`,
    );
  }
  warnings.push(
    generated.created
      ? backupWarning(path)
      : `ENCRYPTION_KEY is not set: using the key generated earlier in ${path}. Make sure that file is backed up.`,
  );
  return { key: generated.key, source: generated.created ? 'generated' : 'file', path, warnings };
}
