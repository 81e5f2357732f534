import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSigningKeyRepository } from './file-signing-key.repository.js';
import type { StoredSigningKey } from './signing-key.repository.port.js';
import { SigningKeyStoreError } from './signing-key.errors.js';
import { aTempDir } from './test-support.js';

const T0 = new Date('2025-03-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function aStoredKey(
  kid: string,
  createdAt: Date,
  overrides: Partial<StoredSigningKey> = {},
): StoredSigningKey {
  return {
    kid,
    alg: 'RS256',
    encryptedPrivateJwk: `blob-of-${kid}`,
    publicJwk: JSON.stringify({ kty: 'RSA', kid }),
    createdAt,
    retiredAt: null,
    expiresAt: null,
    ...overrides,
  };
}

describe('FileSigningKeyRepository', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let repo: FileSigningKeyRepository;

  beforeEach(async () => {
    ({ dir, cleanup } = await aTempDir());
    dir = join(dir, 'keys'); // created on first write
    repo = new FileSigningKeyRepository(dir);
  });
  afterEach(() => cleanup());

  it('an absent folder is an empty store', async () => {
    expect(await repo.listAll()).toEqual([]);
    expect(await repo.listUsable(T0)).toEqual([]);
  });

  it('rotate makes the new key current and retires the previous one with the given expiry', async () => {
    await repo.rotate(aStoredKey('a', T0), at(1000));
    await repo.rotate(aStoredKey('b', at(10)), at(10 + 5000));

    const usable = await repo.listUsable(at(20));
    expect(
      usable.map((k) => [k.kid, k.retiredAt?.toISOString() ?? null, k.expiresAt?.toISOString() ?? null]),
    ).toEqual([
      ['b', null, null],
      ['a', at(10).toISOString(), at(5010).toISOString()],
    ]);
    expect((await repo.listUsable(at(5010))).map((k) => k.kid)).toEqual(['b']);
    expect((await repo.listAll()).map((k) => k.kid)).toEqual(['b', 'a']);
  });

  it('writes 0600 files in a 0700 folder and leaves no temporary files', async () => {
    await repo.rotate(aStoredKey('a', T0), at(1000));
    await repo.reencrypt([{ kid: 'a', encryptedPrivateJwk: 'new-blob' }]);
    const names = await readdir(dir);
    expect(names).toHaveLength(1);
    expect((await stat(join(dir, names[0]!))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await repo.listAll())[0]!.encryptedPrivateJwk).toBe('new-blob');
  });

  it('accepts any kid, even one that is not a safe file name', async () => {
    await repo.rotate(aStoredKey('../a/b c', T0), at(1000));
    expect((await repo.listAll())[0]!.kid).toBe('../a/b c');
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('reencrypt rejects an unknown kid and changes nothing', async () => {
    await repo.rotate(aStoredKey('a', T0), at(1000));
    await expect(
      repo.reencrypt([
        { kid: 'a', encryptedPrivateJwk: 'x' },
        { kid: 'nope', encryptedPrivateJwk: 'y' },
      ]),
    ).rejects.toThrow(SigningKeyStoreError);
    expect((await repo.listAll())[0]!.encryptedPrivateJwk).toBe('blob-of-a');
  });

  it('deleteExpired removes only keys whose grace period is over', async () => {
    await repo.rotate(aStoredKey('a', T0), at(100));
    await repo.rotate(aStoredKey('b', at(1)), at(200));
    await repo.rotate(aStoredKey('c', at(2)), at(300)); // a was retired by b's rotation: expires at 200
    expect(await repo.deleteExpired(at(150))).toBe(0);
    expect(await repo.deleteExpired(at(250))).toBe(1);
    expect((await repo.listAll()).map((k) => k.kid)).toEqual(['c', 'b']);
  });

  it('ignores foreign files but reports an unreadable key file', async () => {
    await repo.rotate(aStoredKey('a', T0), at(100));
    await writeFile(join(dir, 'jwt_private_key.json'), '{}');
    expect((await repo.listAll()).map((k) => k.kid)).toEqual(['a']);
    await writeFile(join(dir, 'signing-key.broken.json'), '{not json');
    await expect(repo.listAll()).rejects.toThrow(/signing-key\.broken\.json is not valid JSON/);
  });

  it('serialises concurrent writes of one process', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((kid, i) => repo.rotate(aStoredKey(kid, at(i)), at(10_000))));
    const current = (await repo.listUsable(at(5))).filter((k) => k.retiredAt === null);
    expect(current.map((k) => k.kid)).toEqual(['d']);
  });
});
