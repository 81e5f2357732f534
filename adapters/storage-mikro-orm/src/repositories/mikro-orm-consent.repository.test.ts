import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describeEachDialect('MikroOrmConsentRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let bob = '';

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    bob = await addUser(a, 'bob');
    for (const id of ['consent-app', 'consent-other', 'consent-race', 'consent-doomed'])
      await a.oidcClients.insert(aClient(id));
  });

  it('grants, finds (on the other instance too) and revokes a consent', async () => {
    expect(await a.consents.find(alice, 'consent-app')).toBeNull();
    const granted = await a.consents.grant(alice, 'consent-app', ['openid', 'profile', 'openid'], at(0));
    expect(granted).toEqual({
      userId: alice,
      clientId: 'consent-app',
      scopes: ['openid', 'profile'],
      createdAt: expect.any(Date),
      lastUsedAt: at(0),
    });
    expect(await b.consents.find(alice, 'consent-app')).toEqual(granted);
    expect(await a.consents.find(bob, 'consent-app')).toBeNull();
    expect(await a.consents.find(alice, 'consent-other')).toBeNull();
    expect(await a.consents.revoke(alice, 'consent-app')).toBe(true);
    expect(await a.consents.revoke(alice, 'consent-app')).toBe(false);
    expect(await a.consents.find(alice, 'consent-app')).toBeNull();
  });

  it('merges scopes: stored order first, then the new ones; stamps lastUsedAt, keeps createdAt', async () => {
    const first = await a.consents.grant(bob, 'consent-app', ['openid', 'profile'], at(0));
    const second = await b.consents.grant(bob, 'consent-app', ['email', 'openid', 'groups', 'email'], at(5));
    expect(second).toEqual({ ...first, scopes: ['openid', 'profile', 'email', 'groups'], lastUsedAt: at(5) });
    const same = await a.consents.grant(bob, 'consent-app', ['profile'], at(9));
    expect(same).toEqual({ ...second, lastUsedAt: at(9) });
    expect(await a.consents.find(bob, 'consent-app')).toEqual(same);
    const none = await a.consents.grant(bob, 'consent-other', [], at(1));
    expect(none.scopes).toEqual([]);
    expect(none.lastUsedAt).toBeInstanceOf(Date);
  });

  it('loses no scope when grants for one pair race (first insert included)', async () => {
    const scopes = Array.from({ length: 20 }, (_, i) => `s${i}`);
    const results = await Promise.all(
      scopes.map((s, i) =>
        (db.dialect === 'postgresql' && i % 2 === 1 ? b : a).consents.grant(
          alice,
          'consent-race',
          [s],
          at(i),
        ),
      ),
    );
    expect(results.every((r) => r.scopes.length >= 1)).toBe(true);
    const stored = await a.consents.find(alice, 'consent-race');
    expect([...stored!.scopes].sort()).toEqual([...scopes].sort());
    expect(new Set(results.map((r) => r.createdAt.getTime())).size).toBe(1);
  });

  it('joins the caller transaction', async () => {
    await expect(
      a.database.transaction(async () => {
        await a.consents.grant(bob, 'consent-race', ['openid'], at(0));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await a.consents.find(bob, 'consent-race')).toBeNull();
  });

  it('goes with its client', async () => {
    await a.consents.grant(alice, 'consent-doomed', ['openid'], at(0));
    expect(await a.oidcClients.delete('consent-doomed')).toBe(true);
    expect(await a.consents.find(alice, 'consent-doomed')).toBeNull();
  });
});
