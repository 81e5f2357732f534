import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashToken } from '@latchkey/core';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from '../../support/browser.js';
import { TOKEN_MATRIX, useTokenFixture, type TokenFixture } from './token-fixture.js';

const LOGOUT_URL = 'https://rp.example.com/signed-out';

/** A relying party's back-channel logout endpoint: records each POST and answers with `status()`. */
function logoutReceiver(status: () => number = () => 200) {
  const received: { contentType: string | undefined; body: string }[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body });
      res.statusCode = status();
      res.end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  return {
    received,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`;
    },
    /** Resolves once `n` deliveries arrived (the suite's timeout bounds the wait). */
    async until(n: number) {
      while (received.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A browser session of the fixture's admin whose cookie the test knows. */
async function aSession(f: TokenFixture): Promise<{ id: string; browser: Browser }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const { storage } = f.server.app;
  await storage.database.withScope(() =>
    storage.sessions.insert({
      id,
      userId: f.adminId,
      tokenHash: hashToken(token),
      amr: ['phr'],
      authTime: new Date(Date.now() - 60_000),
      expiresAt: new Date(Date.now() + 3_600_000),
      ip: null,
      userAgent: null,
    }),
  );
  const browser = new Browser(f.server.url);
  browser.cookies.set('access_token', token);
  return { id, browser };
}

const endSession = (browser: Browser, params: Record<string, string>) =>
  browser.get(`/api/oidc/end-session?${new URLSearchParams(params)}`);

/**
 * OpenID Connect RP-Initiated Logout 1.0 with Pocket ID's rules (pocket-id-api.md §4.13), and
 * Back-Channel Logout 1.0 through a real HTTP receiver.
 */
describe.each(TOKEN_MATRIX)('end-session on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);
  const receiver = logoutReceiver();
  let backchannelUri: string;
  let rpWithLogout: { id: string; secret: string };

  beforeAll(async () => {
    backchannelUri = await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  const client = async (f: TokenFixture) =>
    (rpWithLogout ??= await f.createClient(
      { logoutCallbackURLs: [LOGOUT_URL], backchannelLogoutURI: backchannelUri },
      true,
    ));

  it('with an id_token_hint: ends the session, clears the cookie and returns to the app with state', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const tokens = await f.tokensFor({ sessionId: session.id, clientId: rp.id }, rp);
    expect((await session.browser.get('/api/users/me')).status).toBe(200);
    const cookie = session.browser.cookies.get('access_token')!;

    const res = await endSession(session.browser, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: LOGOUT_URL,
      state: 'af0ifjsldkj',
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGOUT_URL}?state=af0ifjsldkj`);
    expect(String(res.headers['set-cookie'])).toMatch(/^access_token=;/);
    // The cookie was cleared, and its session is over too (for a client that kept the cookie).
    expect(session.browser.cookies.has('access_token')).toBe(false);
    session.browser.cookies.set('access_token', cookie);
    expect((await session.browser.get('/api/users/me')).status).toBe(401);
  });

  it("revokes the session's tokens, but for an offline_access grant", async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const online = await f.tokensFor({ sessionId: session.id, clientId: rp.id, scope: 'openid email' }, rp);
    const offline = await f.tokensFor(
      { sessionId: session.id, clientId: rp.id, scope: 'openid email offline_access' },
      rp,
    );
    expect((await f.userinfo(online.access_token)).status).toBe(200);

    expect((await session.browser.post('/api/webauthn/logout')).status).toBe(204);
    expect((await f.userinfo(online.access_token)).status).toBe(401);
    expect((await f.userinfo(offline.access_token)).status).toBe(401);
    const refresh = (token: string) =>
      f.post('/api/oidc/token', { grant_type: 'refresh_token', refresh_token: token }, rp);
    expect((await refresh(online.refresh_token!)).status).toBe(400);
    const renewed = await refresh(offline.refresh_token!);
    expect(renewed.status).toBe(200);
  });

  it('delivers a signed logout token to the back-channel URI of each client of the session', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const tokens = await f.tokensFor({ sessionId: session.id, clientId: rp.id }, rp);
    const before = receiver.received.length;
    const res = await endSession(session.browser, { id_token_hint: tokens.id_token! });
    // No post_logout_redirect_uri: the client's first logout URL.
    expect(res.headers.location).toBe(LOGOUT_URL);
    await receiver.until(before + 1);

    const delivery = receiver.received[before]!;
    expect(delivery.contentType).toBe('application/x-www-form-urlencoded');
    const logoutToken = new URLSearchParams(delivery.body).get('logout_token')!;
    expect(decodeProtectedHeader(logoutToken).typ).toBe('logout+jwt');
    const jwks = createRemoteJWKSet(new URL(`${f.server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(logoutToken, jwks, { issuer: f.server.url, audience: rp.id });
    expect(payload).toMatchObject({
      sub: f.adminId,
      sid: session.id,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(payload.nonce).toBeUndefined();
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    // Delivered: nothing stays queued. The row goes once the sender has read the answer, which can be
    // just after the receiver saw the body, so poll (with vi.waitFor's deadline).
    const { storage } = f.server.app;
    await vi.waitFor(async () =>
      expect(await storage.database.withScope(() => storage.backchannelLogouts.count())).toBe(0),
    );
  });

  it('signing out on the Latchkey side (POST /api/webauthn/logout) also tells the clients', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    await f.tokensFor({ sessionId: session.id, clientId: rp.id }, rp);
    const before = receiver.received.length;
    expect((await session.browser.post('/api/webauthn/logout')).status).toBe(204);
    await receiver.until(before + 1);
    const token = new URLSearchParams(receiver.received[before]!.body).get('logout_token')!;
    const jwks = createRemoteJWKSet(new URL(`${f.server.url}/.well-known/jwks.json`));
    expect((await jwtVerify(token, jwks, { audience: rp.id })).payload.sid).toBe(session.id);
  });

  it('without a hint: signs nobody out and sends the person to the /logout page with what it verified', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const res = await endSession(session.browser, {
      client_id: rp.id,
      post_logout_redirect_uri: LOGOUT_URL,
      state: 's1',
    });
    expect(res.status).toBe(302);
    const page = new URL(String(res.headers.location));
    expect(page.origin + page.pathname).toBe(`${f.server.url}/logout`);
    expect(Object.fromEntries(page.searchParams)).toEqual({
      client_id: rp.id,
      post_logout_redirect_uri: LOGOUT_URL,
      state: 's1',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await session.browser.get('/api/users/me')).status).toBe(200);

    // An unregistered URL is not passed on to the page.
    const evil = await endSession(session.browser, {
      client_id: rp.id,
      post_logout_redirect_uri: 'https://evil.example/',
    });
    expect(new URL(String(evil.headers.location)).searchParams.get('post_logout_redirect_uri')).toBeNull();
  });

  it('fails safe: a bad hint, another client, an unregistered URL or an access token signs nobody out', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const tokens = await f.tokensFor({ sessionId: session.id, clientId: rp.id }, rp);
    const attempts: Record<string, string>[] = [
      { id_token_hint: 'not.a.jwt' },
      { id_token_hint: tokens.id_token!.slice(0, -4) + 'AAAA' },
      { id_token_hint: tokens.id_token!, client_id: f.other.id },
      { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/cb' },
      { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'javascript:alert(1)' },
      { id_token_hint: tokens.access_token },
    ];
    for (const params of attempts) {
      const res = await endSession(session.browser, params);
      expect(res.status).toBe(302);
      expect(new URL(String(res.headers.location)).pathname).toBe('/logout');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect((await session.browser.get('/api/users/me')).status).toBe(200);
    }
    // A repeated parameter is refused outright.
    const repeated = await session.browser.get(
      `/api/oidc/end-session?state=a&state=b&id_token_hint=${tokens.id_token}`,
    );
    expect(repeated.status).toBe(400);
    expect((await session.browser.get('/api/users/me')).status).toBe(200);
  });

  it("does not sign out another person's browser with someone else's hint", async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    // A hint for a different subject, signed by us.
    const foreign = await f.server.app.keys.sign(
      { iss: f.server.url, sub: randomUUID(), aud: rp.id, sid: randomUUID() },
      { expiresIn: 3600 },
    );
    const res = await endSession(session.browser, { id_token_hint: foreign });
    expect(new URL(String(res.headers.location)).pathname).toBe('/logout');
    expect((await session.browser.get('/api/users/me')).status).toBe(200);
  });

  it('accepts an expired hint (RP-Initiated Logout §2) and the form POST', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const rp = await client(f);
    const session = await aSession(f);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await f.server.app.keys.sign(
      { iss: f.server.url, sub: f.adminId, aud: rp.id, sid: session.id, iat: past },
      { expiresIn: 60 },
    );
    const res = await session.browser.request({
      method: 'POST',
      path: '/api/oidc/end-session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id_token_hint: expired, state: 'x' }).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGOUT_URL}?state=x`);
    expect((await session.browser.get('/api/users/me')).status).toBe(401);
  });

  it('is advertised in discovery', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const doc = await (await fetch(`${f.server.url}/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({
      end_session_endpoint: `${f.server.url}/api/oidc/end-session`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });
});
