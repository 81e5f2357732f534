/**
 * Signing keys as files under KEYS_PATH (KEYS_STORAGE=file, Pocket ID v1's option), for hosts that keep
 * keys out of the database. One JSON file per key holding the same record as the database adapter,
 * private JWK encrypted in the same Pocket ID format. Files are 0600 in a 0700 directory and every
 * write goes through a temporary file and a rename, so a reader never sees half a key.
 *
 * Files cannot share one transaction; the order of writes keeps a crash harmless instead: `rotate`
 * writes the new key before retiring the others, so at worst two keys are current and the newest wins.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SigningKeyRepository, StoredSigningKey } from './signing-key.repository.port.js';
import { isSigningAlg } from './key-generator.js';
import { SigningKeyStoreError } from './signing-key.errors.js';
import { pocketIdV1FileKeySource } from './pocket-id-import.js';
import type { LegacyKeySource } from './pocket-id-import.js';

const FILE_PREFIX = 'signing-key.';
const FILE_SUFFIX = '.json';

interface KeyFile {
  kid: string;
  alg: string;
  encryptedPrivateJwk: string;
  publicJwk: string;
  createdAt: string;
  retiredAt: string | null;
  expiresAt: string | null;
}

function fileNameFor(kid: string): string {
  // kids come from outside too (imported Pocket ID keys): encode so any kid is a safe file name.
  return `${FILE_PREFIX}${Buffer.from(kid, 'utf8').toString('base64url')}${FILE_SUFFIX}`;
}

function isoOrNull(value: unknown, field: string, file: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new SigningKeyStoreError(`Signing key file ${file}: "${field}" is not a date`);
  return date;
}

function fromFile(raw: string, file: string): StoredSigningKey {
  let data: Partial<KeyFile>;
  try {
    data = JSON.parse(raw) as Partial<KeyFile>;
  } catch (cause) {
    throw new SigningKeyStoreError(`Signing key file ${file} is not valid JSON`, { cause });
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    typeof data.kid !== 'string' ||
    !isSigningAlg(data.alg) ||
    typeof data.encryptedPrivateJwk !== 'string' ||
    typeof data.publicJwk !== 'string'
  ) {
    throw new SigningKeyStoreError(
      `Signing key file ${file} is missing kid, alg, encryptedPrivateJwk or publicJwk`,
    );
  }
  const createdAt = isoOrNull(data.createdAt, 'createdAt', file);
  if (!createdAt) throw new SigningKeyStoreError(`Signing key file ${file} has no createdAt`);
  return {
    kid: data.kid,
    alg: data.alg,
    encryptedPrivateJwk: data.encryptedPrivateJwk,
    publicJwk: data.publicJwk,
    createdAt,
    retiredAt: isoOrNull(data.retiredAt, 'retiredAt', file),
    expiresAt: isoOrNull(data.expiresAt, 'expiresAt', file),
  };
}

function toFile(key: StoredSigningKey): string {
  const data: KeyFile = {
    kid: key.kid,
    alg: key.alg,
    encryptedPrivateJwk: key.encryptedPrivateJwk,
    publicJwk: key.publicJwk,
    createdAt: key.createdAt.toISOString(),
    retiredAt: key.retiredAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

function newestFirst(a: StoredSigningKey, b: StoredSigningKey): number {
  return b.createdAt.getTime() - a.createdAt.getTime();
}

export class FileSigningKeyRepository implements SigningKeyRepository {
  /** Serialises this process's writes; other processes only ever see whole files. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly keysPath: string) {}

  /** Pocket ID v1's unencrypted `jwt_private_key.json` in the same folder, for a one-time import. */
  legacyKeySource(): LegacyKeySource {
    return pocketIdV1FileKeySource(this.keysPath);
  }

  async listUsable(now: Date): Promise<StoredSigningKey[]> {
    const keys = await this.readAll();
    return keys
      .filter((k) => k.expiresAt === null || k.expiresAt.getTime() > now.getTime())
      .sort(newestFirst);
  }

  async listAll(): Promise<StoredSigningKey[]> {
    return (await this.readAll()).sort(newestFirst);
  }

  rotate(key: StoredSigningKey, previousExpiresAt: Date): Promise<void> {
    return this.exclusive(async () => {
      const others = (await this.readAll()).filter((k) => k.kid !== key.kid && k.retiredAt === null);
      await this.write({ ...key, retiredAt: null });
      const retiredAt = key.createdAt;
      for (const other of others) {
        await this.write({ ...other, retiredAt, expiresAt: previousExpiresAt });
      }
    });
  }

  reencrypt(updates: { kid: string; encryptedPrivateJwk: string }[]): Promise<void> {
    return this.exclusive(async () => {
      const byKid = new Map((await this.readAll()).map((k) => [k.kid, k]));
      const missing = updates.filter((u) => !byKid.has(u.kid)).map((u) => u.kid);
      if (missing.length > 0)
        throw new SigningKeyStoreError(`No signing key file for kid ${missing.join(', ')}`);
      // Every new file is complete on disk before the first rename, keeping the mixed window short.
      const staged: { tmp: string; target: string }[] = [];
      try {
        for (const update of updates) {
          const key = byKid.get(update.kid)!;
          staged.push(await this.stage({ ...key, encryptedPrivateJwk: update.encryptedPrivateJwk }));
        }
      } catch (err) {
        await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => undefined)));
        throw err;
      }
      for (const { tmp, target } of staged) await rename(tmp, target);
    });
  }

  deleteExpired(now: Date): Promise<number> {
    return this.exclusive(async () => {
      let deleted = 0;
      for (const key of await this.readAll()) {
        if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
          await unlink(join(this.keysPath, fileNameFor(key.kid))).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
          deleted++;
        }
      }
      return deleted;
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAll(): Promise<StoredSigningKey[]> {
    let names: string[];
    try {
      names = await readdir(this.keysPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const keys: StoredSigningKey[] = [];
    for (const name of names) {
      if (!name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX)) continue;
      const file = join(this.keysPath, name);
      let raw: string;
      try {
        raw = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted by another process meanwhile
        throw err;
      }
      keys.push(fromFile(raw, file));
    }
    return keys;
  }

  private async write(key: StoredSigningKey): Promise<void> {
    const { tmp, target } = await this.stage(key);
    await rename(tmp, target);
  }

  /** Writes the record to a temporary file next to its target (same file system, so rename is atomic). */
  private async stage(key: StoredSigningKey): Promise<{ tmp: string; target: string }> {
    await mkdir(this.keysPath, { recursive: true, mode: 0o700 });
    const target = join(this.keysPath, fileNameFor(key.kid));
    const tmp = join(this.keysPath, `.${fileNameFor(key.kid)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(toFile(key), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { tmp, target };
  }
}
