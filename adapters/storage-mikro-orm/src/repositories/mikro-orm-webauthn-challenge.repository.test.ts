import { randomUUID } from 'node:crypto';
import type { WebauthnChallenge } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

const MINUTE = 60_000;
const t0 = new Date('2026-11-23T00:00:00.123Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

const aChallenge = (overrides: Partial<WebauthnChallenge> = {}): WebauthnChallenge => ({
  id: randomUUID(),
  challenge: randomUUID().replaceAll('-', ''),
  userId: null,
  purpose: 'authentication',
  userVerification: 'preferred',
  createdAt: t0,
  expiresAt: at(5),
  ...overrides,
});

describeEachDialect('MikroOrmWebauthnChallengeRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    const user = await a.users.insert({
      id: randomUUID(),
      username: 'alice',
      email: null,
      emailVerified: false,
      firstName: '',
      lastName: null,
      displayName: '',
      isAdmin: false,
      locale: null,
      disabled: false,
    });
    alice = user.id;
  });

  it('consumes a challenge once, field for field, on another instance', async () => {
    const challenge = aChallenge({ userId: alice, purpose: 'registration', userVerification: 'required' });
    await a.webauthnChallenges.insert(challenge);
    const consumed = await b.webauthnChallenges.consume(challenge.id, at(1));
    expect(consumed).toEqual(challenge);
    expect(Object.getPrototypeOf(consumed)).toBe(Object.prototype);
    expect(consumed!.createdAt).toBeInstanceOf(Date);
    expect(await a.webauthnChallenges.consume(challenge.id, at(1))).toBeNull();
  });

  it('keeps a discoverable challenge without a user', async () => {
    const challenge = aChallenge({ purpose: 'reauthentication', userVerification: 'discouraged' });
    await a.webauthnChallenges.insert(challenge);
    expect(await a.webauthnChallenges.consume(challenge.id, at(1))).toEqual(challenge);
  });

  it('returns null for an unknown id and for an expired challenge, which it leaves for cleanup', async () => {
    expect(await a.webauthnChallenges.consume(randomUUID(), at(1))).toBeNull();
    expect(await a.webauthnChallenges.consume('not-a-uuid', at(1))).toBeNull();
    const challenge = aChallenge({ expiresAt: at(5) });
    await a.webauthnChallenges.insert(challenge);
    expect(await a.webauthnChallenges.consume(challenge.id, at(5))).toBeNull();
    expect(await a.webauthnChallenges.consume(challenge.id, at(6))).toBeNull();
    expect(await a.webauthnChallenges.deleteExpired(at(5))).toBe(1);
  });

  it('gives a challenge to exactly one of 10 concurrent consumers across two instances', async () => {
    const challenge = aChallenge();
    await a.webauthnChallenges.insert(challenge);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).webauthnChallenges.consume(challenge.id, at(1))),
    );
    expect(results.filter((r) => r !== null)).toEqual([challenge]);
  });

  it('works inside a transaction, and a rollback gives the challenge back', async () => {
    const challenge = aChallenge();
    await a.webauthnChallenges.insert(challenge);
    await expect(
      a.database.withScope(() =>
        a.database.transaction(async () => {
          expect(await a.webauthnChallenges.consume(challenge.id, at(1))).toEqual(challenge);
          throw new Error('ceremony failed');
        }),
      ),
    ).rejects.toThrow('ceremony failed');
    expect(await b.webauthnChallenges.consume(challenge.id, at(1))).toEqual(challenge);
  });

  it('deletes expired challenges and says how many', async () => {
    const old = [aChallenge({ expiresAt: at(1) }), aChallenge({ expiresAt: at(2) })];
    const fresh = aChallenge({ expiresAt: at(10) });
    for (const c of [...old, fresh]) await a.webauthnChallenges.insert(c);
    expect(await b.webauthnChallenges.deleteExpired(at(2))).toBe(2);
    expect(await b.webauthnChallenges.deleteExpired(at(2))).toBe(0);
    expect(await a.webauthnChallenges.consume(fresh.id, at(3))).toEqual(fresh);
  });

  it('deletes a user’s challenges with the user (cascade)', async () => {
    const bob = await a.users.insert({
      id: randomUUID(),
      username: 'bob',
      email: null,
      emailVerified: false,
      firstName: '',
      lastName: null,
      displayName: '',
      isAdmin: false,
      locale: null,
      disabled: false,
    });
    const challenge = aChallenge({ userId: bob.id });
    await a.webauthnChallenges.insert(challenge);
    await a.orm.em.getConnection().execute('delete from users where id = ?', [bob.id]);
    expect(await a.webauthnChallenges.consume(challenge.id, at(1))).toBeNull();
  });
});
