/**
 * Test helpers for the signing-key suites. Not exported from the package.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvStore } from '../../storage/kv-store.port.js';

/** A KvStore in a Map; `setIfAbsent` is trivially atomic in one process. */
export class InMemoryKvStore implements KvStore {
  readonly data = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    return this.data.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.data.set(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<boolean> {
    if (this.data.has(key)) return false;
    this.data.set(key, value);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  private ms: number;

  constructor(start: Date | string = '2025-01-01T00:00:00Z') {
    this.ms = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.ms);

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A fresh temporary directory; call the returned `cleanup` in afterEach. */
export async function aTempDir(
  prefix = 'latchkey-keys-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A 32-byte ENCRYPTION_KEY made of one repeated character, easy to tell apart in tests. */
export function anEncryptionKey(fill = 'k'): Buffer {
  return Buffer.from(fill.repeat(32), 'utf8');
}
