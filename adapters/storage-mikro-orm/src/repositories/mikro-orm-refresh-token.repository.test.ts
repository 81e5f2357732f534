import { randomUUID } from 'node:crypto';
import type { NewAccessTokenRecord, NewRefreshTokenFamily } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

const MINUTE = 60_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

/** Refresh-token families and access-token records together: revoking a family reaches both. */
describeEachDialect('MikroOrmRefreshTokenRepository and MikroOrmAccessTokenRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  const clientId = 'token-app';

  const aFamily = (overrides: Partial<NewRefreshTokenFamily> = {}): NewRefreshTokenFamily => ({
    id: randomUUID(),
    clientId,
    userId: alice,
    sessionId: null,
    scope: 'openid profile offline_access',
    authTime: at(-5),
    amr: ['phr'],
    createdAt: at(0),
    expiresAt: at(60),
    ...overrides,
  });
  const anAccessToken = (overrides: Partial<NewAccessTokenRecord> = {}): NewAccessTokenRecord => ({
    jti: randomUUID(),
    clientId,
    userId: alice,
    familyId: null,
    sessionId: null,
    scope: 'openid',
    createdAt: at(0),
    expiresAt: at(60),
    ...overrides,
  });
  /** A family with one token (`hash`), which expires with it. */
  const start = async (hash = randomUUID(), overrides: Partial<NewRefreshTokenFamily> = {}) => {
    const family = aFamily(overrides);
    await a.refreshTokens.createFamily(family, {
      tokenHash: hash,
      createdAt: family.createdAt,
      expiresAt: family.expiresAt,
    });
    return { family, hash };
  };

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    await a.oidcClients.insert(aClient(clientId));
  });

  it('stores a family with its first token, and rotates within it', async () => {
    const { family, hash } = await start();
    expect(await b.refreshTokens.find(hash)).toEqual({
      token: { tokenHash: hash, familyId: family.id, createdAt: at(0), expiresAt: at(60), usedAt: null },
      family: { ...family, claims: null, revokedAt: null, accessRevokedAt: null },
    });
    expect(await b.refreshTokens.findFamily(family.id)).toEqual({
      ...family,
      claims: null,
      revokedAt: null,
      accessRevokedAt: null,
    });
    expect(await b.refreshTokens.findFamily(randomUUID())).toBeNull();
    expect(await a.refreshTokens.markUsed(hash, at(1))).toBe(true);
    expect(await b.refreshTokens.markUsed(hash, at(2))).toBe(false);
    await a.refreshTokens.addToken({
      tokenHash: 'next',
      familyId: family.id,
      createdAt: at(1),
      expiresAt: at(61),
    });
    const next = await b.refreshTokens.find('next');
    expect(next?.family.expiresAt).toEqual(at(61));
    // A family lives at least as long as it is told to (its access tokens may outlive its tokens).
    await a.refreshTokens.addToken(
      { tokenHash: 'later', familyId: family.id, createdAt: at(2), expiresAt: at(62) },
      at(90),
    );
    expect((await b.refreshTokens.findFamily(family.id))?.expiresAt).toEqual(at(90));
    // null: the family's row is left as it is.
    await a.refreshTokens.addToken(
      { tokenHash: 'covered', familyId: family.id, createdAt: at(3), expiresAt: at(63) },
      null,
    );
    expect((await b.refreshTokens.find('covered'))?.family.expiresAt).toEqual(at(90));
    expect((await b.refreshTokens.find('covered'))?.token).toEqual({
      tokenHash: 'covered',
      familyId: family.id,
      createdAt: at(3),
      expiresAt: at(63),
      usedAt: null,
    });
    expect((await b.refreshTokens.find(hash))?.token.usedAt).toEqual(at(1));
    expect(await a.refreshTokens.find('unknown')).toBeNull();
  });

  it("keeps the grant's claims request on the family, and gives it to the family's access tokens", async () => {
    const claims = {
      id_token: { email: { essential: true }, sub: { value: alice } },
      userinfo: { groups: null, team: { values: ['a', 'b'] } },
    };
    const { family, hash } = await start(randomUUID(), { claims });
    expect((await b.refreshTokens.find(hash))?.family.claims).toEqual(claims);
    const record = anAccessToken({ familyId: family.id });
    await a.accessTokens.insert(record);
    expect((await b.accessTokens.find(record.jti))?.claims).toEqual(claims);
  });

  it('uses a token up only while it is unexpired and its family is not revoked', async () => {
    const { hash: expired } = await start(randomUUID(), { expiresAt: at(10) });
    expect(await a.refreshTokens.markUsed(expired, at(10))).toBe(false);
    const { family, hash } = await start();
    await a.refreshTokens.revokeFamily(family.id, at(1));
    expect(await a.refreshTokens.markUsed(hash, at(2))).toBe(false);
    expect((await a.refreshTokens.find(hash))?.family.revokedAt).toEqual(at(1));
  });

  it('gives exactly one use of 20 concurrent ones across two instances', async () => {
    const { hash } = await start();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).refreshTokens.markUsed(hash, at(1))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('revoking a family revokes the access tokens issued from it, and only those', async () => {
    const { family, hash } = await start();
    const fromFamily = anAccessToken({ familyId: family.id });
    const alone = anAccessToken();
    await a.accessTokens.insert(fromFamily);
    await a.accessTokens.insert(alone);
    expect(await b.accessTokens.find(fromFamily.jti)).toEqual({
      ...fromFamily,
      revokedAt: null,
      claims: null,
    });
    await a.refreshTokens.revokeFamily(family.id, at(3));
    expect((await b.accessTokens.find(fromFamily.jti))?.revokedAt).toEqual(at(3));
    expect((await b.accessTokens.find(alone.jti))?.revokedAt).toBeNull();
    // Revoking again keeps the first time.
    await a.refreshTokens.revokeFamily(family.id, at(4));
    expect((await b.refreshTokens.find(hash))?.family.revokedAt).toEqual(at(3));
    expect((await b.accessTokens.find(fromFamily.jti))?.revokedAt).toEqual(at(3));
  });

  it('folds a family revoked after the token was recorded into the token', async () => {
    const { family } = await start();
    const late = anAccessToken({ familyId: family.id });
    await a.refreshTokens.revokeFamily(family.id, at(3));
    // Recorded after the revocation (a rotation racing it): still revoked through the family.
    await a.accessTokens.insert(late);
    expect((await b.accessTokens.find(late.jti))?.revokedAt).toEqual(at(3));
  });

  it('revokes one access token once', async () => {
    const token = anAccessToken({ userId: null, scope: '' });
    await a.accessTokens.insert(token);
    expect(await a.accessTokens.revoke(token, at(1))).toBe(true);
    expect(await b.accessTokens.revoke(token, at(2))).toBe(false);
    expect(await a.accessTokens.find(token.jti)).toEqual({ ...token, revokedAt: at(1), claims: null });
  });

  it('records a token that had no record (a client_credentials token) as revoked, once', async () => {
    const token = anAccessToken({ userId: null, scope: '' });
    expect(await a.accessTokens.find(token.jti)).toBeNull();
    expect(await a.accessTokens.revoke(token, at(1))).toBe(true);
    expect(await b.accessTokens.revoke(token, at(2))).toBe(false);
    expect(await b.accessTokens.find(token.jti)).toEqual({ ...token, revokedAt: at(1), claims: null });
  });

  it("revokes everything a user holds for a client, and nothing of another user's or client's", async () => {
    const bob = await addUser(a, `bob-${randomUUID().slice(0, 6)}`);
    await a.oidcClients.insert(aClient('token-other'));
    const { family: mine, hash } = await start(randomUUID(), { userId: bob });
    const { hash: otherClient } = await start(randomUUID(), { userId: bob, clientId: 'token-other' });
    const { hash: otherUser } = await start();
    const access = anAccessToken({ userId: bob, familyId: mine.id });
    const direct = anAccessToken({ userId: bob });
    await a.accessTokens.insert(access);
    await a.accessTokens.insert(direct);
    expect(await a.refreshTokens.revokeGrants(bob, clientId, at(5))).toBe(3);
    expect(await a.refreshTokens.revokeGrants(bob, clientId, at(6))).toBe(0);
    expect((await b.refreshTokens.find(hash))?.family.revokedAt).toEqual(at(5));
    expect((await b.accessTokens.find(direct.jti))?.revokedAt).toEqual(at(5));
    expect((await b.refreshTokens.find(otherClient))?.family.revokedAt).toBeNull();
    expect((await b.refreshTokens.find(otherUser))?.family.revokedAt).toBeNull();
  });

  it('deletes expired tokens, families and access-token records', async () => {
    const base = at(100_000);
    const { family: old, hash: oldHash } = await start(randomUUID(), {
      createdAt: base,
      expiresAt: new Date(base.getTime() + MINUTE),
    });
    const { hash: live } = await start(randomUUID(), {
      createdAt: base,
      expiresAt: new Date(base.getTime() + 3 * MINUTE),
    });
    const oldAccess = anAccessToken({ familyId: old.id, expiresAt: new Date(base.getTime() + MINUTE) });
    const liveAccess = anAccessToken({ expiresAt: new Date(base.getTime() + 3 * MINUTE) });
    await a.accessTokens.insert(oldAccess);
    await a.accessTokens.insert(liveAccess);
    const cutoff = new Date(base.getTime() + 2 * MINUTE);
    expect(await a.refreshTokens.deleteExpired(cutoff)).toBeGreaterThanOrEqual(2);
    // The old family's record went with it (ON DELETE CASCADE); the rest expire on their own.
    await a.accessTokens.deleteExpired(cutoff);
    expect(await a.refreshTokens.find(oldHash)).toBeNull();
    expect(await a.accessTokens.find(oldAccess.jti)).toBeNull();
    expect(await a.refreshTokens.find(live)).not.toBeNull();
    expect(await a.accessTokens.find(liveAccess.jti)).not.toBeNull();
    expect(await a.refreshTokens.deleteExpired(cutoff)).toBe(0);
    expect(await a.accessTokens.deleteExpired(cutoff)).toBe(0);
  });

  it('stores no session that is gone by the time of the insert (deleted meanwhile), instead of failing', async () => {
    // A session deleted between a grant's checks and its writes (user deleted, stale-session cleanup)
    // would fail the foreign key: a 500 for the client.
    const gone = randomUUID();
    const { family } = await start(randomUUID(), { sessionId: gone });
    const record = anAccessToken({ familyId: family.id, sessionId: gone });
    await a.accessTokens.insert(record);
    expect((await b.accessTokens.find(record.jti))?.sessionId).toBeNull();
  });

  it('joins the caller transaction: a rolled-back rotation leaves the token usable', async () => {
    const { hash } = await start();
    await expect(
      a.database.transaction(async () => {
        expect(await a.refreshTokens.markUsed(hash, at(1))).toBe(true);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await a.refreshTokens.markUsed(hash, at(2))).toBe(true);
  });
});
