import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { SoftwareAuthenticator } from '../../support/webauthn/authenticator.js';

/** First-admin setup, passkey registration, sign-in, sessions and passkey management, through HTTP. */
const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

describe.each(matrix)('accounts on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  const adminDevice = new SoftwareAuthenticator();

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function registerPasskey(browser: Browser, device: SoftwareAuthenticator) {
    const start = await browser.get('/api/webauthn/register/start');
    expect(start.status).toBe(200);
    const res = await browser.post(
      '/api/webauthn/register/finish',
      device.register(start.json(), { origin: server!.url }),
    );
    return res;
  }

  async function signIn(
    browser: Browser,
    device: SoftwareAuthenticator,
    overrides: Record<string, unknown> = {},
  ) {
    const start = await browser.get('/api/webauthn/login/start');
    expect(start.status).toBe(200);
    return browser.post(
      '/api/webauthn/login/finish',
      device.authenticate(start.json(), { origin: server!.url, ...overrides }),
    );
  }

  it('creates the first admin, who registers a passkey, signs out and signs in with it', async ({ skip }) => {
    if (!server) return skip();
    const browser = new Browser(server.url);
    expect((await browser.get('/api/signup/setup')).status).toBe(204);

    const setup = await browser.post('/api/signup/setup', {
      username: 'ada',
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(setup.status).toBe(200);
    expect(setup.json()).toMatchObject({
      username: 'ada',
      isAdmin: true,
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    const cookie = String(setup.headers['set-cookie']);
    expect(cookie).toMatch(/^access_token=[^;]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/);

    expect((await browser.get('/api/signup/setup')).json()).toMatchObject({ code: 'setup_not_available' });
    const again = await new Browser(server.url).post('/api/signup/setup', {
      username: 'eve',
      email: 'eve@example.com',
    });
    expect(again.status).toBe(409);
    expect(again.json().code).toBe('setup_already_completed');

    const me = await browser.get('/api/users/me');
    expect(me.status).toBe(200);
    expect(me.json().username).toBe('ada');

    const device = adminDevice;
    const start = await browser.get('/api/webauthn/register/start');
    const options = start.json();
    expect(options).toMatchObject({
      rp: { id: 'localhost' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    });
    expect(String(start.headers['set-cookie'])).toMatch(
      /^session=[0-9a-f-]{36}; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/,
    );
    const finish = await browser.post(
      '/api/webauthn/register/finish',
      device.register(options, { origin: server.url }),
    );
    expect(finish.status).toBe(200);
    expect(finish.json()).toMatchObject({
      name: 'New Passkey',
      credentialID: device.credentials[0]!.id,
      backupEligible: false,
    });

    // the registered credential is excluded from the next registration, as a browser would refuse it
    const next = (await browser.get('/api/webauthn/register/start')).json();
    expect(next.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([device.credentials[0]!.id]);
    expect(() => device.register(next, { origin: server!.url })).toThrow(/InvalidState|excluded/);

    expect((await browser.post('/api/webauthn/logout')).status).toBe(204);
    expect(browser.cookies.has('access_token')).toBe(false);
    expect((await browser.get('/api/users/me')).status).toBe(401);

    const login = await signIn(browser, device);
    expect(login.status).toBe(200);
    expect(login.json()).toMatchObject({ username: 'ada', isAdmin: true });
    expect((await browser.get('/api/users/me')).json().username).toBe('ada');

    // the audit log recorded the passkey and the sign-in, with where they came from
    const audit = (await browser.get('/api/audit-logs?sort[column]=createdAt&sort[direction]=asc')).json();
    expect(audit.data.map((e: { event: string }) => e.event)).toEqual(['PASSKEY_ADDED', 'SIGN_IN']);
    expect(audit.data[1]).toMatchObject({ ipAddress: '127.0.0.1' });

    // the old session stays revoked even if someone kept its token
    const stale = new Browser(server.url);
    stale.cookies.set('access_token', 'not-a-session');
    expect((await stale.get('/api/users/me')).json().code).toBe('not_signed_in');
  });

  it('accepts the session token as a bearer header, as Pocket ID does', async ({ skip }) => {
    if (!server) return skip();
    const browser = new Browser(server.url);
    const device = new SoftwareAuthenticator();
    const admin = await adminBrowser();
    expect((await registerPasskey(admin, device)).status).toBe(200);
    expect((await signIn(browser, device)).status).toBe(200);
    const token = browser.cookies.get('access_token')!;
    const res = await new Browser(server.url).get('/api/users/me', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    // a present but empty cookie blocks the header fallback
    const blocked = await new Browser(server.url).get('/api/users/me', {
      authorization: `Bearer ${token}`,
      cookie: 'access_token=',
    });
    expect(blocked.status).toBe(401);
  });

  it('refuses replayed, forged, tampered and unverified assertions', async ({ skip }) => {
    if (!server) return skip();
    const admin = await adminBrowser();
    const device = new SoftwareAuthenticator();
    expect((await registerPasskey(admin, device)).status).toBe(200);

    // a challenge is single use
    const browser = new Browser(server.url);
    const start = (await browser.get('/api/webauthn/login/start')).json();
    const body = device.authenticate(start, { origin: server.url });
    expect((await browser.post('/api/webauthn/login/finish', body)).status).toBe(200);
    const replay = await browser.post('/api/webauthn/login/finish', body);
    expect(replay.status).toBe(400);
    // the finish cleared the challenge cookie, so the replay has none
    expect(replay.json().code).toMatch(/missing_session_id|invalid_webauthn_session/);

    const forgedCookie = new Browser(server.url);
    forgedCookie.cookies.set('session', '00000000-0000-4000-8000-000000000000');
    const forged = await forgedCookie.post('/api/webauthn/login/finish', body);
    expect(forged.json().code).toBe('invalid_webauthn_session');

    expect((await new Browser(server.url).post('/api/webauthn/login/finish', body)).json().code).toBe(
      'missing_session_id',
    );

    const wrongOrigin = await signIn(new Browser(server.url), device, { origin: 'http://evil.example' });
    expect(wrongOrigin.status).toBe(400);
    expect(wrongOrigin.json().code).toBe('invalid_webauthn_response');

    const tampered = await signIn(new Browser(server.url), device, { tamperClientData: true });
    expect(tampered.status).toBeGreaterThanOrEqual(400);
    expect(tampered.status).toBeLessThan(500);

    const unverified = await signIn(new Browser(server.url), device, { userVerified: false });
    expect(unverified.status).toBe(400);
    expect(unverified.json().code).toBe('passkey_user_verification_required');

    const backwards = await signIn(new Browser(server.url), device, { signCount: 1 });
    expect(backwards.status).toBe(401);
    expect(backwards.json().code).toBe('webauthn_authentication_failed');
    const regressions = (
      await admin.get('/api/audit-logs/all?filters[event]=PASSKEY_SIGN_COUNT_REGRESSED')
    ).json();
    expect(regressions.data).toHaveLength(1);

    const stranger = new SoftwareAuthenticator();
    stranger.register((await admin.get('/api/webauthn/register/start')).json(), { origin: server.url });
    const unknown = await signIn(new Browser(server.url), stranger);
    expect(unknown.status).toBe(401);
    expect(unknown.json().code).toBe('webauthn_authentication_failed');

    const garbage = new Browser(server.url);
    await garbage.get('/api/webauthn/login/start');
    const notJson = await garbage.request({
      method: 'POST',
      path: '/api/webauthn/login/finish',
      headers: { 'content-type': 'application/json' },
      body: '{"id":',
    });
    expect(notJson.json().code).toBe('invalid_request_body');
  });

  it('lists, renames and deletes your own passkeys only', async ({ skip }) => {
    if (!server) return skip();
    const admin = await adminBrowser();
    const list = (await admin.get('/api/webauthn/credentials')).json();
    expect(list.length).toBeGreaterThan(0);
    const id = list[0].id;
    expect(list[0]).toMatchObject({
      name: expect.any(String),
      transport: ['internal'],
      createdAt: expect.any(String),
    });

    const renamed = await admin.patch(`/api/webauthn/credentials/${id}`, { name: 'Laptop' });
    expect(renamed.status).toBe(200);
    expect(renamed.json().name).toBe('Laptop');
    const tooLong = await admin.patch(`/api/webauthn/credentials/${id}`, { name: 'x'.repeat(51) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json().errors[0]).toMatchObject({ field: 'name', code: 'too_long' });

    const missing = await admin.delete('/api/webauthn/credentials/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found', details: { resource: 'Passkey' } });

    expect((await admin.delete(`/api/webauthn/credentials/${id}`)).status).toBe(204);
    expect(
      (await admin.get('/api/webauthn/credentials')).json().map((c: { id: string }) => c.id),
    ).not.toContain(id);

    expect((await new Browser(server.url).get('/api/webauthn/credentials')).status).toBe(401);
  });

  /** A browser signed in as the admin, with the passkey the first test registered. */
  async function adminBrowser(): Promise<Browser> {
    const browser = new Browser(server!.url);
    expect((await signIn(browser, adminDevice)).status).toBe(200);
    return browser;
  }
});
