import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

describeEachDialect('MikroOrmKvRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;

  beforeAll(async () => {
    // Two instances on one database, as in a scaled-out deployment.
    a = await db.open();
    b = await db.open();
  });

  it('returns null for an absent key', async () => {
    expect(await a.kv.get('absent')).toBeNull();
  });

  it('sets, overwrites and deletes, visible to the other instance', async () => {
    await a.kv.set('instance_id', 'one');
    expect(await b.kv.get('instance_id')).toBe('one');
    await b.kv.set('instance_id', 'two');
    expect(await a.kv.get('instance_id')).toBe('two');
    await a.kv.delete('instance_id');
    expect(await b.kv.get('instance_id')).toBeNull();
    await expect(a.kv.delete('instance_id')).resolves.toBeUndefined();
  });

  it('keeps long values intact', async () => {
    const jwk = JSON.stringify({ kty: 'RSA', n: 'x'.repeat(5_000), e: 'AQAB' });
    await a.kv.set('jwt_private_key.json', jwk);
    expect(await b.kv.get('jwt_private_key.json')).toBe(jwk);
  });

  it('setIfAbsent writes only when the key is absent', async () => {
    expect(await a.kv.setIfAbsent('once', 'first')).toBe(true);
    expect(await b.kv.setIfAbsent('once', 'second')).toBe(false);
    expect(await a.kv.get('once')).toBe('first');
  });

  it('setIfAbsent lets exactly one of 20 concurrent writers across two instances win', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).kv.setIfAbsent('race', `writer-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await a.kv.get('race')).toBe(`writer-${winner}`);
  });

  it('works inside a scope and a transaction', async () => {
    await a.database.withScope(async () => {
      await a.database.transaction(async () => {
        expect(await a.kv.setIfAbsent('scoped', '1')).toBe(true);
        expect(await a.kv.get('scoped')).toBe('1');
      });
    });
    expect(await b.kv.get('scoped')).toBe('1');
  });
});
