import { randomUUID } from 'node:crypto';
import type { AuthorizationCode } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import { RefreshTokenFamilyEntity } from '../entities/refresh-token-family.entity.js';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

const MINUTE = 60_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

type NewCode = Omit<AuthorizationCode, 'redeemedAt' | 'familyId'>;

describeEachDialect('MikroOrmAuthorizationCodeRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let sessionId = '';
  const clientId = 'code-app';

  const aCode = (overrides: Partial<NewCode> = {}): NewCode => ({
    codeHash: randomUUID().replaceAll('-', ''),
    clientId,
    userId: alice,
    sessionId,
    redirectUri: 'https://code-app.example.com/cb?x=1',
    scope: 'openid profile email',
    nonce: 'n-0S6_WzA2Mj',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    authTime: at(-5),
    amr: ['phr', 'mfa'],
    claims: { id_token: { email: { essential: true }, 'what?': null }, userinfo: { name: null } },
    createdAt: at(0),
    expiresAt: at(15),
    ...overrides,
  });

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    await a.oidcClients.insert(aClient(clientId));
    sessionId = randomUUID();
    await a.sessions.insert({
      id: sessionId,
      userId: alice,
      tokenHash: randomUUID(),
      amr: ['phr'],
      authTime: at(-5),
      expiresAt: at(60 * 24),
      ip: null,
      userAgent: null,
    });
  });

  it('redeems a code once: the first gets first=true, later ones (any instance) first=false', async () => {
    const input = aCode();
    await a.authorizationCodes.insert(input);
    const first = await a.authorizationCodes.redeem(input.codeHash, at(1));
    expect(first).toEqual({ code: { ...input, redeemedAt: at(1), familyId: null }, first: true });
    expect(first!.code.authTime).toBeInstanceOf(Date);
    expect(first!.code.createdAt).toBeInstanceOf(Date);
    expect(first!.code.expiresAt).toBeInstanceOf(Date);
    expect(first!.code.redeemedAt).toBeInstanceOf(Date);
    const again = await b.authorizationCodes.redeem(input.codeHash, at(2));
    expect(again).toEqual({ code: { ...input, redeemedAt: at(1), familyId: null }, first: false });
  });

  it('keeps nulls and a plain PKCE method', async () => {
    const input = aCode({
      sessionId: null,
      nonce: null,
      codeChallenge: null,
      codeChallengeMethod: null,
      claims: null,
      amr: [],
    });
    await a.authorizationCodes.insert(input);
    expect(await a.authorizationCodes.redeem(input.codeHash, at(1))).toEqual({
      code: { ...input, redeemedAt: at(1), familyId: null },
      first: true,
    });
    const plain = aCode({ codeChallenge: 'verifier', codeChallengeMethod: 'plain' });
    await a.authorizationCodes.insert(plain);
    expect((await a.authorizationCodes.redeem(plain.codeHash, at(1)))?.code).toMatchObject({
      codeChallenge: 'verifier',
      codeChallengeMethod: 'plain',
    });
  });

  it('gives null for unknown and expired codes, redeemed or not', async () => {
    expect(await a.authorizationCodes.redeem('unknown', at(1))).toBeNull();
    const expired = aCode();
    await a.authorizationCodes.insert(expired);
    expect(await a.authorizationCodes.redeem(expired.codeHash, at(15))).toBeNull();
    expect(await a.authorizationCodes.redeem(expired.codeHash, at(16))).toBeNull();
    const used = aCode();
    await a.authorizationCodes.insert(used);
    expect((await a.authorizationCodes.redeem(used.codeHash, at(14)))?.first).toBe(true);
    expect((await a.authorizationCodes.redeem(used.codeHash, at(14.5)))?.first).toBe(false);
    expect(await a.authorizationCodes.redeem(used.codeHash, at(15))).toBeNull();
  });

  it('remembers the refresh-token family the first redemption started', async () => {
    const input = aCode();
    await a.authorizationCodes.insert(input);
    expect((await a.authorizationCodes.redeem(input.codeHash, at(1)))?.first).toBe(true);
    const familyId = randomUUID();
    await a.orm.em.fork().insert(RefreshTokenFamilyEntity, {
      id: familyId,
      clientId,
      userId: alice,
      sessionId,
      scope: input.scope,
      authTime: input.authTime,
      amr: input.amr,
      createdAt: at(1),
      expiresAt: at(60),
      revokedAt: null,
    });
    await a.authorizationCodes.setFamily(input.codeHash, familyId);
    expect(await b.authorizationCodes.redeem(input.codeHash, at(2))).toEqual({
      code: { ...input, redeemedAt: at(1), familyId },
      first: false,
    });
    await a.authorizationCodes.setFamily('unknown', familyId); // no row, no error
  });

  it('deletes codes expired at or before the given time', async () => {
    const base = at(1000);
    const early = aCode({ createdAt: base, expiresAt: new Date(base.getTime() + MINUTE) });
    const onTheDot = aCode({ createdAt: base, expiresAt: new Date(base.getTime() + 2 * MINUTE) });
    const later = aCode({ createdAt: base, expiresAt: new Date(base.getTime() + 3 * MINUTE) });
    for (const c of [early, onTheDot, later]) await a.authorizationCodes.insert(c);
    // Everything inserted by earlier tests expired long before `base`.
    const deleted = await a.authorizationCodes.deleteExpired(new Date(base.getTime() + 2 * MINUTE));
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(await a.authorizationCodes.deleteExpired(new Date(base.getTime() + 2 * MINUTE))).toBe(0);
    expect(await a.authorizationCodes.redeem(early.codeHash, base)).toBeNull();
    expect(await a.authorizationCodes.redeem(onTheDot.codeHash, base)).toBeNull();
    expect((await a.authorizationCodes.redeem(later.codeHash, base))?.first).toBe(true);
  });

  it('gives exactly one first redemption of 50 concurrent ones on one instance', async () => {
    const input = aCode();
    await a.authorizationCodes.insert(input);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => a.authorizationCodes.redeem(input.codeHash, at(1 + i / 1000))),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(results.filter((r) => r!.first)).toHaveLength(1);
    const winner = results.find((r) => r!.first)!;
    for (const r of results) expect(r!.code.redeemedAt).toEqual(winner.code.redeemedAt);
  });

  it.runIf(db.dialect === 'postgresql')(
    'gives exactly one first redemption of 50 concurrent ones across two instances',
    async () => {
      const input = aCode();
      await a.authorizationCodes.insert(input);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).authorizationCodes.redeem(input.codeHash, at(1)),
        ),
      );
      expect(results.every((r) => r !== null)).toBe(true);
      expect(results.filter((r) => r!.first)).toHaveLength(1);
    },
  );

  it('joins the caller transaction: a rolled-back redemption leaves the code redeemable', async () => {
    const input = aCode();
    await a.authorizationCodes.insert(input);
    await expect(
      a.database.transaction(async () => {
        expect((await a.authorizationCodes.redeem(input.codeHash, at(1)))?.first).toBe(true);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await a.authorizationCodes.redeem(input.codeHash, at(2)))?.first).toBe(true);
  });

  it('goes with its client', async () => {
    await a.oidcClients.insert(aClient('code-doomed'));
    const input = aCode({ clientId: 'code-doomed' });
    await a.authorizationCodes.insert(input);
    expect(await a.oidcClients.delete('code-doomed')).toBe(true);
    expect(await a.authorizationCodes.redeem(input.codeHash, at(1))).toBeNull();
  });
});
