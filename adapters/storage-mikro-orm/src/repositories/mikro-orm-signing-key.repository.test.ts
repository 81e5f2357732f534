import type { StoredSigningKey } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

const aKey = (kid: string, overrides: Partial<StoredSigningKey> = {}): StoredSigningKey => ({
  kid,
  alg: 'RS256',
  encryptedPrivateJwk: `encrypted(${kid})`,
  publicJwk: JSON.stringify({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB' }),
  createdAt: t0,
  retiredAt: null,
  expiresAt: null,
  ...overrides,
});

describeEachDialect('MikroOrmSigningKeyRepository', (db) => {
  let storage: MikroOrmStorage;

  beforeAll(async () => {
    storage = await db.open();
  });

  it('starts empty', async () => {
    expect(await storage.signingKeys.listUsable(t0)).toEqual([]);
    expect(await storage.signingKeys.listAll()).toEqual([]);
  });

  it('stores the first key as the current one, field for field', async () => {
    const k1 = aKey('k1', { alg: 'ES256', createdAt: at(0) });
    await storage.signingKeys.rotate(k1, at(1));
    expect(await storage.signingKeys.listUsable(at(0))).toEqual([k1]);
  });

  it('rotates: the new key is current, the old one retired with the given expiry', async () => {
    await storage.signingKeys.rotate(aKey('k2', { createdAt: at(1) }), at(25));
    const usable = await storage.signingKeys.listUsable(at(2));
    expect(usable.map((k) => [k.kid, k.retiredAt, k.expiresAt])).toEqual([
      ['k2', null, null],
      ['k1', at(1), at(25)],
    ]);
  });

  it('lists only unexpired keys as usable, newest first', async () => {
    expect((await storage.signingKeys.listUsable(at(24))).map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect((await storage.signingKeys.listUsable(at(25))).map((k) => k.kid)).toEqual(['k2']);
    expect((await storage.signingKeys.listAll()).map((k) => k.kid)).toEqual(['k2', 'k1']);
  });

  it('rotates atomically: a failed insert leaves the current key current', async () => {
    await expect(storage.signingKeys.rotate(aKey('k2', { createdAt: at(3) }), at(30))).rejects.toThrow();
    const usable = await storage.signingKeys.listUsable(at(3));
    expect(usable[0]).toMatchObject({ kid: 'k2', retiredAt: null, expiresAt: null });
  });

  it('re-encrypts listed keys in one transaction', async () => {
    await storage.signingKeys.reencrypt([
      { kid: 'k1', encryptedPrivateJwk: 'rewrapped(k1)' },
      { kid: 'k2', encryptedPrivateJwk: 'rewrapped(k2)' },
    ]);
    expect((await storage.signingKeys.listAll()).map((k) => k.encryptedPrivateJwk)).toEqual([
      'rewrapped(k2)',
      'rewrapped(k1)',
    ]);

    await expect(
      storage.signingKeys.reencrypt([
        { kid: 'k2', encryptedPrivateJwk: 'lost(k2)' },
        { kid: 'missing', encryptedPrivateJwk: 'lost(missing)' },
      ]),
    ).rejects.toThrow(/missing/);
    expect((await storage.signingKeys.listAll())[0]!.encryptedPrivateJwk).toBe('rewrapped(k2)');
  });

  it('deletes expired keys and says how many', async () => {
    expect(await storage.signingKeys.deleteExpired(at(24))).toBe(0);
    expect(await storage.signingKeys.deleteExpired(at(25))).toBe(1);
    expect((await storage.signingKeys.listAll()).map((k) => k.kid)).toEqual(['k2']);
  });

  it('sees its own writes within one scope (no stale identity map)', async () => {
    await storage.database.withScope(async () => {
      expect((await storage.signingKeys.listUsable(at(26)))[0]!.kid).toBe('k2');
      await storage.signingKeys.rotate(aKey('k3', { createdAt: at(26) }), at(50));
      const usable = await storage.signingKeys.listUsable(at(26));
      expect(usable.map((k) => [k.kid, k.retiredAt])).toEqual([
        ['k3', null],
        ['k2', at(26)],
      ]);
    });
  });
});
