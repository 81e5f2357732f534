import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackchannelLogoutService, silentLogger, type TokenSigner } from '@latchkey/core';
import { decodeJwt, generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

/**
 * The back-channel logout queue on each database, driven through BackchannelLogoutService against a
 * real HTTP receiver, with an injected clock for the retry schedule.
 */
describeEachDialect('MikroOrmBackchannelLogoutRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let userId = '';
  let server: Server;
  let uri = '';
  let answer = 200;
  const received: string[] = [];
  let clock = new Date('2026-11-23T10:00:00.000Z');
  const keys = generateKeyPair('ES256');

  const signer: TokenSigner = {
    currentKey: () => ({ alg: 'ES256' }),
    async sign(payload: JWTPayload, options = {}) {
      const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: options.typ });
      if (options.expiresIn) jwt.setExpirationTime((payload.iat as number) + options.expiresIn);
      return jwt.sign((await keys).privateKey);
    },
  };
  const service = (storage: MikroOrmStorage, maxAttempts = 10) =>
    new BackchannelLogoutService({
      repository: storage.backchannelLogouts,
      signer,
      issuer: () => 'https://id.example.com',
      database: storage.database,
      logger: silentLogger,
      now: () => clock,
      maxAttempts,
      timeoutMs: 2_000,
    });

  /** A client with tokens in a fresh session; returns the session id. */
  const aSessionWithClient = async (storage: MikroOrmStorage, logoutUri: string | null = uri) => {
    const clientId = `rp-${randomUUID().slice(0, 8)}`;
    await storage.oidcClients.insert(aClient(clientId, { backchannelLogoutUri: logoutUri }));
    const sessionId = randomUUID();
    await storage.sessions.insert({
      id: sessionId,
      userId,
      tokenHash: randomUUID(),
      amr: ['phr'],
      authTime: clock,
      expiresAt: new Date(clock.getTime() + 3_600_000),
      ip: null,
      userAgent: null,
    });
    await storage.accessTokens.insert({
      jti: randomUUID(),
      clientId,
      userId,
      familyId: null,
      sessionId,
      scope: 'openid',
      createdAt: clock,
      expiresAt: new Date(clock.getTime() + 3_600_000),
    });
    return { sessionId, clientId };
  };

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    userId = await addUser(a, 'alice');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logout`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    received.length = 0;
    answer = 200;
  });

  it('finds the clients of a session that asked for back-channel logout, once each', async () => {
    const { sessionId, clientId } = await aSessionWithClient(a);
    await a.accessTokens.insert({
      jti: randomUUID(),
      clientId,
      userId,
      familyId: null,
      sessionId,
      scope: 'openid',
      createdAt: clock,
      expiresAt: new Date(clock.getTime() + 3_600_000),
    });
    expect(await a.backchannelLogouts.subscribersOfSession(sessionId)).toEqual([
      { clientId, backchannelLogoutUri: uri, userId },
    ]);
    const silent = await aSessionWithClient(a, null);
    expect(await a.backchannelLogouts.subscribersOfSession(silent.sessionId)).toEqual([]);
  });

  it('retries a failed delivery with backoff, with a fresh token under the same jti', async () => {
    const bc = service(a);
    const { sessionId, clientId } = await aSessionWithClient(a);
    answer = 503;
    await bc.sessionEnded(sessionId);
    await bc.idle();
    expect(received).toHaveLength(1);
    const [queued] = await a.backchannelLogouts.due(new Date(clock.getTime() + 10_000), 10);
    expect(queued).toMatchObject({ clientId, attempts: 1, lastError: 'HTTP 503' });
    expect(queued!.nextAttemptAt.getTime()).toBe(clock.getTime() + 10_000);

    // Not due yet: nothing is sent.
    expect(await bc.deliverDue()).toBe(0);
    expect(received).toHaveLength(1);

    answer = 200;
    clock = new Date(clock.getTime() + 10_000);
    expect(await bc.deliverDue()).toBe(1);
    expect(received).toHaveLength(2);
    const [first, second] = received.map((t) => decodeJwt(t));
    expect(second!.jti).toBe(first!.jti);
    expect(second!.iat).toBe(first!.iat! + 10);
    expect(second).toMatchObject({ aud: clientId, sub: userId, sid: sessionId });
    const { payload } = await jwtVerify(received[1]!, (await keys).publicKey, {
      audience: clientId,
      currentDate: clock,
    });
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(await a.backchannelLogouts.count()).toBe(0);
  });

  it('gives up on a 400 at once, and on an unreachable client after the last attempt', async () => {
    const bc = service(a, 2);
    answer = 400;
    await bc.sessionEnded((await aSessionWithClient(a)).sessionId);
    await bc.idle();
    expect(received).toHaveLength(1);
    expect(await a.backchannelLogouts.count()).toBe(0);

    // A port nobody listens on: refused twice, then dropped.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/logout`;
    await new Promise<void>((r) => closed.close(() => r()));
    await bc.sessionEnded((await aSessionWithClient(a, dead)).sessionId);
    await bc.idle();
    expect(await a.backchannelLogouts.count()).toBe(1);
    clock = new Date(clock.getTime() + 10_000);
    expect(await bc.deliverDue()).toBe(0);
    expect(await a.backchannelLogouts.count()).toBe(0);
  });

  it('sends each delivery once when two instances work the queue at the same time', async () => {
    answer = 503;
    const first = service(a);
    await first.sessionEnded((await aSessionWithClient(a)).sessionId);
    await first.idle();
    expect(received).toHaveLength(1);
    answer = 200;
    clock = new Date(clock.getTime() + 10_000);
    const delivered = await Promise.all([service(a).deliverDue(), service(b).deliverDue()]);
    expect(delivered.sort()).toEqual([0, 1]);
    expect(received).toHaveLength(2);
  });

  it('drops a delivery whose client no longer has a back-channel URI, and one whose client is gone', async () => {
    answer = 503;
    const bc = service(a);
    const { sessionId, clientId } = await aSessionWithClient(a);
    await bc.sessionEnded(sessionId);
    await bc.idle();
    const { id: _id, createdById: _by, ...patch } = aClient(clientId, { backchannelLogoutUri: null });
    await a.oidcClients.update(clientId, patch);
    clock = new Date(clock.getTime() + 10_000);
    expect(await bc.deliverDue()).toBe(0);
    expect(received).toHaveLength(1);
    expect(await a.backchannelLogouts.count()).toBe(0);

    const gone = await aSessionWithClient(a);
    await bc.sessionEnded(gone.sessionId);
    await bc.idle();
    await a.oidcClients.delete(gone.clientId);
    expect(await a.backchannelLogouts.count()).toBe(0);
  });
});
