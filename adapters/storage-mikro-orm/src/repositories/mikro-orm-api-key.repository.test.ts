import { randomUUID } from 'node:crypto';
import type { NewApiKey } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { addUser, describeEachDialect } from '../test-support.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

describeEachDialect('MikroOrmApiKeyRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let bob = '';

  const aKey = (userId: string, overrides: Partial<NewApiKey> = {}): NewApiKey => ({
    id: randomUUID(),
    name: 'ci',
    description: null,
    keyHash: randomUUID().replaceAll('-', ''),
    userId,
    expiresAt: at(24),
    ...overrides,
  });

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    bob = await addUser(a, 'bob');
  });

  it('inserts a key and finds it for its owner only, and by hash while unexpired', async () => {
    const input = aKey(alice, { description: 'deploys' });
    const inserted = await a.apiKeys.insert(input);
    expect(inserted).toEqual({
      ...input,
      lastUsedAt: null,
      expirationEmailSent: false,
      createdAt: expect.any(Date),
    });
    expect(await b.apiKeys.findForUser(input.id, alice)).toEqual(inserted);
    expect(await b.apiKeys.findForUser(input.id, bob)).toBeNull();
    expect(await b.apiKeys.findActiveByHash(input.keyHash, at(1))).toEqual(inserted);
    expect(await b.apiKeys.findActiveByHash(input.keyHash, at(24))).toBeNull();
    expect(await b.apiKeys.findActiveByHash('nope', at(1))).toBeNull();
  });

  it('refuses a duplicate hash', async () => {
    const input = aKey(alice);
    await a.apiKeys.insert(input);
    await expect(a.apiKeys.insert(aKey(bob, { keyHash: input.keyHash }))).rejects.toThrow();
  });

  it('lists and counts one user’s keys, sorted and paged', async () => {
    const carol = await addUser(a, 'carol');
    await a.apiKeys.insert(aKey(carol, { name: 'b-key', expiresAt: at(30) }));
    await a.apiKeys.insert(aKey(carol, { name: 'a-key', expiresAt: at(40) }));
    await a.apiKeys.insert(aKey(carol, { name: 'c-key', expiresAt: at(20) }));
    expect(await b.apiKeys.countByUser(carol)).toBe(3);
    const byName = await b.apiKeys.listByUser(carol, {
      offset: 0,
      limit: 10,
      sort: { column: 'name', direction: 'asc' },
    });
    expect(byName.map((k) => k.name)).toEqual(['a-key', 'b-key', 'c-key']);
    const byExpiry = await b.apiKeys.listByUser(carol, {
      offset: 1,
      limit: 1,
      sort: { column: 'expiresAt', direction: 'desc' },
    });
    expect(byExpiry.map((k) => k.name)).toEqual(['b-key']);
  });

  it('renews only an expired key of its owner, once', async () => {
    const input = aKey(bob, { expiresAt: at(2) });
    await a.apiKeys.insert(input);
    const update = { keyHash: 'renewed-' + randomUUID(), expiresAt: at(100) };
    expect(await a.apiKeys.renewExpired(input.id, bob, update, at(1))).toBeNull();
    expect(await a.apiKeys.renewExpired(input.id, alice, update, at(3))).toBeNull();
    const results = await Promise.all(
      [a, b, a, b].map((s, i) =>
        s.apiKeys.renewExpired(input.id, bob, { ...update, keyHash: `${update.keyHash}-${i}` }, at(3)),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: input.id, expiresAt: at(100) });
    expect(await a.apiKeys.findActiveByHash(input.keyHash, at(1))).toBeNull();
  });

  it('records the last use', async () => {
    const input = aKey(alice);
    await a.apiKeys.insert(input);
    await b.apiKeys.touchLastUsed(input.id, at(5));
    expect((await a.apiKeys.findForUser(input.id, alice))!.lastUsedAt).toEqual(at(5));
  });

  it('deletes a key of its owner only, and with the user (cascade)', async () => {
    const input = aKey(alice);
    await a.apiKeys.insert(input);
    expect(await b.apiKeys.delete(input.id, bob)).toBe(false);
    expect(await b.apiKeys.delete(input.id, alice)).toBe(true);
    expect(await b.apiKeys.delete(input.id, alice)).toBe(false);

    const dave = await addUser(a, 'dave');
    const daves = aKey(dave);
    await a.apiKeys.insert(daves);
    await a.orm.em.getConnection().execute('delete from users where id = ?', [dave]);
    expect(await a.apiKeys.findActiveByHash(daves.keyHash, at(1))).toBeNull();
  });
});
