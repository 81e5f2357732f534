import { randomUUID } from 'node:crypto';
import type { Session } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { addUser, describeEachDialect } from '../test-support.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

type NewSession = Omit<Session, 'createdAt' | 'lastSeenAt' | 'revokedAt'>;

describeEachDialect('MikroOrmSessionRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let bob = '';

  const aSession = (userId: string, overrides: Partial<NewSession> = {}): NewSession => ({
    id: randomUUID(),
    userId,
    tokenHash: randomUUID().replaceAll('-', ''),
    amr: ['phr'],
    authTime: at(0),
    expiresAt: at(24),
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    ...overrides,
  });

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    bob = await addUser(a, 'bob');
  });

  it('inserts a session and finds it by token hash while active, on the other instance too', async () => {
    const input = aSession(alice, { amr: ['phr', 'mfa'], ip: '2001:db8::1' });
    const inserted = await a.sessions.insert(input);
    expect(inserted).toEqual({
      ...input,
      createdAt: expect.any(Date),
      lastSeenAt: null,
      revokedAt: null,
    });
    expect(await b.sessions.findActiveByTokenHash(input.tokenHash, at(1))).toEqual(inserted);
  });

  it('keeps null ip and user agent', async () => {
    const input = aSession(alice, { ip: null, userAgent: null, amr: ['otp'] });
    await a.sessions.insert(input);
    expect(await a.sessions.findActiveByTokenHash(input.tokenHash, at(1))).toMatchObject({
      ip: null,
      userAgent: null,
      amr: ['otp'],
    });
  });

  it('does not find an unknown or expired session', async () => {
    const input = aSession(alice, { expiresAt: at(2) });
    await a.sessions.insert(input);
    expect(await a.sessions.findActiveByTokenHash('unknown', at(1))).toBeNull();
    expect(await a.sessions.findActiveByTokenHash(input.tokenHash, at(1))).not.toBeNull();
    expect(await a.sessions.findActiveByTokenHash(input.tokenHash, at(2))).toBeNull();
    expect(await a.sessions.findActiveByTokenHash(input.tokenHash, at(3))).toBeNull();
  });

  it('revokes an active session once; a revoked session is no longer found', async () => {
    const input = aSession(alice);
    await a.sessions.insert(input);
    expect(await b.sessions.revoke(input.id, at(1))).toBe(true);
    expect(await a.sessions.findActiveByTokenHash(input.tokenHash, at(1))).toBeNull();
    expect(await a.sessions.revoke(input.id, at(2))).toBe(false);
    expect(await a.sessions.revoke(randomUUID(), at(1))).toBe(false);
  });

  it('does not revoke an expired session', async () => {
    const input = aSession(alice, { expiresAt: at(2) });
    await a.sessions.insert(input);
    expect(await a.sessions.revoke(input.id, at(3))).toBe(false);
  });

  it('revokes all active sessions of one user and says how many', async () => {
    const carolId = randomUUID();
    await addUser(a, 'carol', carolId);
    const active = [aSession(carolId), aSession(carolId)];
    const revoked = aSession(carolId);
    const expired = aSession(carolId, { expiresAt: at(1) });
    const bobs = aSession(bob);
    for (const s of [...active, revoked, expired, bobs]) await a.sessions.insert(s);
    expect(await a.sessions.revoke(revoked.id, at(2))).toBe(true);

    expect(await b.sessions.revokeAllForUser(carolId, at(3))).toHaveLength(2);
    for (const s of active) expect(await a.sessions.findActiveByTokenHash(s.tokenHash, at(3))).toBeNull();
    expect(await a.sessions.findActiveByTokenHash(bobs.tokenHash, at(3))).not.toBeNull();
    expect(await b.sessions.revokeAllForUser(carolId, at(3))).toEqual([]);
    expect(await b.sessions.revokeAllForUser(randomUUID(), at(3))).toEqual([]);
  });

  it('lets exactly one of concurrent revocations report the session as active', async () => {
    const input = aSession(bob);
    await a.sessions.insert(input);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).sessions.revoke(input.id, at(1))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('deletes sessions that expired or were revoked before the cut-off, and says how many', async () => {
    const user = randomUUID();
    await addUser(a, 'dave', user);
    // Start from a clean table: everything so far expires at or before hour 24.
    await a.sessions.deleteStale(at(1_000));
    const expiredLongAgo = aSession(user, { expiresAt: at(10) });
    const revokedLongAgo = aSession(user, { expiresAt: at(100) });
    const expiresAtCutoff = aSession(user, { expiresAt: at(50) });
    const live = aSession(user, { expiresAt: at(100) });
    for (const s of [expiredLongAgo, revokedLongAgo, expiresAtCutoff, live]) await a.sessions.insert(s);
    await a.sessions.revoke(revokedLongAgo.id, at(20));

    expect(await b.sessions.deleteStale(at(50))).toBe(2);
    expect(await a.sessions.findActiveByTokenHash(expiresAtCutoff.tokenHash, at(49))).not.toBeNull();
    expect(await a.sessions.findActiveByTokenHash(live.tokenHash, at(60))).not.toBeNull();
    expect(await b.sessions.deleteStale(at(50))).toBe(0);
    expect(await b.sessions.deleteStale(at(51))).toBe(1);
  });

  it('deletes a user’s sessions with the user (cascade)', async () => {
    const user = randomUUID();
    await addUser(a, 'erin', user);
    const s = aSession(user);
    await a.sessions.insert(s);
    await a.orm.em.getConnection().execute('delete from users where id = ?', [user]);
    expect(await a.sessions.findActiveByTokenHash(s.tokenHash, at(1))).toBeNull();
  });

  it('refuses a session for a user that does not exist', async () => {
    await expect(a.sessions.insert(aSession(randomUUID()))).rejects.toThrow();
  });
});
