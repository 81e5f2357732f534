import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import type { RawResponse } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';
import { SoftwareAuthenticator } from '../../support/webauthn/authenticator.js';
import { aUserBody, put, signInAs } from '../accounts/account-helpers.js';
import { A_SVG, aRaster, LogoOrigin } from './clients-logo-origin.js';

/** The Clavex Grafana guide's registration payload (reference/clavex-grafana-sso.md), verbatim. */
const CLAVEX_PAYLOAD = {
  client_id: 'grafana',
  client_name: 'Grafana',
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://grafana.acme.eu/login/generic_oauth'],
  scopes: ['openid', 'profile', 'email', 'groups'],
  token_endpoint_auth_method: 'client_secret_basic',
};

const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
  ['express', 'postgres'],
] as const;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * Dynamic Client Registration (RFC 7591) with an administrator's API key as the initial access token,
 * the client configuration endpoint (RFC 7592), and a sign-in through a registered client with
 * openid-client, on both hosts and both databases.
 */
describe.each(MATRIX)('dynamic client registration on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let person: Browser;
  let adminId: string;
  let adminKey: string;
  let userKey: string;
  let origin: LogoOrigin;
  const device = new SoftwareAuthenticator({ alg: 'ES256' });
  let counter = 0;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    origin = await LogoOrigin.start({ png: await aRaster('png'), svg: A_SVG });
    server = await startServer({ httpHost, dialect });
    person = new Browser(server.url);
    const setup = await person.post('/api/signup/setup', {
      username: 'grace',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    expect(setup.status).toBe(200);
    adminId = setup.json().id;
    const start = await person.get('/api/webauthn/register/start');
    const finish = await person.post(
      '/api/webauthn/register/finish',
      device.register(start.json(), { origin: server.url }),
    );
    expect(finish.status).toBe(200);
    const group = await person.post('/api/user-groups', { name: 'grafana-admins', friendlyName: 'Admins' });
    expect(group.status).toBe(201);
    expect(
      (await put(person, `/api/user-groups/${group.json().id}/users`, { userIds: [adminId] })).status,
    ).toBe(200);
    const key = await person.post('/api/api-keys', { name: 'dcr', expiresAt: inDays(1) });
    expect(key.status).toBe(201);
    adminKey = key.json().token;
    const userId = (await person.post('/api/users', aUserBody())).json().id;
    const user = await signInAs(server, userId);
    userKey = (await user.post('/api/api-keys', { name: 'mine', expiresAt: inDays(1) })).json().token;
    // Sign out: the person signs in again with the passkey during the flow.
    await person.post('/api/webauthn/logout');
  });
  afterAll(async () => {
    await server?.stop();
    await origin?.stop();
  });

  const register = (
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${adminKey}` },
  ) => new Browser(server!.url).post('/api/oidc/register', body, headers);
  const withToken = (token: string) => ({ authorization: `Bearer ${token}` });
  const configPath = (info: { registration_client_uri: string }) =>
    new URL(info.registration_client_uri).pathname;
  const expectOAuthError = (res: RawResponse, status: number, error: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ error });
    expect(typeof res.json().error_description).toBe('string');
  };
  const uniqueRedirect = () => {
    counter += 1;
    return `https://app${counter}.example.com/cb`;
  };

  it('advertises registration_endpoint in discovery', async ({ skip }) => {
    if (!server) return skip();
    const doc = (await new Browser(server.url).get('/.well-known/openid-configuration')).json();
    expect(doc.registration_endpoint).toBe(`${server.url}/api/oidc/register`);
  });

  it("registers the Clavex guide's Grafana client and signs in through it with openid-client", async ({
    skip,
  }) => {
    if (!server) return skip();
    const res = await register(CLAVEX_PAYLOAD);
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const info = res.json();
    expect(info).toMatchObject({
      client_id: 'grafana',
      client_secret_expires_at: 0,
      registration_client_uri: `${server.url}/api/oidc/register/grafana`,
      client_name: 'Grafana',
      redirect_uris: ['https://grafana.acme.eu/login/generic_oauth'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email groups',
    });
    expect(info.client_secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(info.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(info.client_id_issued_at - Date.now() / 1000)).toBeLessThan(300);

    // The admin API sees an ordinary confidential client with one secret.
    const admin = await signInAs(server, adminId);
    const dto = (await admin.get('/api/oidc/clients/grafana')).json();
    expect(dto).toMatchObject({ name: 'Grafana', isPublic: false, callbackURLs: info.redirect_uris });
    expect(dto.credentials.secrets).toHaveLength(1);

    // Grafana's side: discovery, client_secret_basic, PKCE, the scopes of the guide.
    const config = await client.discovery(
      new URL(server.url),
      info.client_id,
      undefined,
      client.ClientSecretBasic(info.client_secret),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: 'https://grafana.acme.eu/login/generic_oauth',
      scope: 'openid profile email groups',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const first = await person.get(authUrl.pathname + authUrl.search);
    expect(first.status).toBe(302);
    const interactionPage = new URL(String(first.headers.location), server.url);
    expect(interactionPage.pathname).toBe('/interaction');
    const id = interactionPage.searchParams.get('interaction')!;
    const options = (await person.get('/api/webauthn/login/start')).json();
    expect(
      (await person.post('/api/webauthn/login/finish', device.authenticate(options, { origin: server.url })))
        .status,
    ).toBe(200);
    expect(
      (await person.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' })).status,
    ).toBe(200);
    const done = await person.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
    expect(done.status).toBe(200);
    const resumed = await person.get(done.json().redirectUrl);
    expect(resumed.status).toBe(302);
    const callback = new URL(String(resumed.headers.location));
    expect(callback.origin + callback.pathname).toBe('https://grafana.acme.eu/login/generic_oauth');

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: server.url, aud: 'grafana', preferred_username: 'grace' });
    // What Grafana's role_attribute_path reads.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ email: 'grace@example.com', groups: ['grafana-admins'] });
    // use_refresh_token = true
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(typeof refreshed.access_token).toBe('string');
  });

  it('reads, updates and deletes a registration with its registration access token (RFC 7592)', async ({
    skip,
  }) => {
    if (!server) return skip();
    const redirect = uniqueRedirect();
    const info = (
      await register({
        client_name: 'Managed',
        redirect_uris: [redirect],
        scope: 'openid email',
        client_uri: 'https://managed.example.com/',
      })
    ).json();
    expect(info.client_id).toMatch(/^[0-9a-f-]{36}$/);
    const path = configPath(info);
    const browser = new Browser(server.url);

    const read = await browser.get(path, withToken(info.registration_access_token));
    expect(read.status).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    const { client_secret: _secret, client_secret_expires_at: _expiry, ...withoutSecret } = info;
    expect(read.json()).toEqual(withoutSecret);

    // The admin tightens the client; an RFC 7592 update must not undo it.
    const admin = await signInAs(server, adminId);
    expect(
      (
        await put(admin, `/api/oidc/clients/${info.client_id}`, {
          name: 'Managed',
          callbackURLs: [redirect],
          skipConsent: true,
          launchURL: 'https://managed.example.com/',
        })
      ).status,
    ).toBe(200);

    const second = uniqueRedirect();
    const update = await put(new Browser(server.url), path, {
      ...read.json(),
      client_name: 'Managed 2',
      redirect_uris: [redirect, second],
      client_secret: info.client_secret,
    });
    // `put` sends no Authorization header: the update is refused first.
    expectOAuthError(update, 401, 'invalid_token');
    const updated = await browser.request({
      method: 'PUT',
      path,
      headers: { 'content-type': 'application/json', ...withToken(info.registration_access_token) },
      body: JSON.stringify({
        ...read.json(),
        client_name: 'Managed 2',
        redirect_uris: [redirect, second],
        client_secret: info.client_secret,
      }),
    });
    expect(updated.status).toBe(200);
    expect(updated.json()).toMatchObject({
      client_id: info.client_id,
      client_name: 'Managed 2',
      redirect_uris: [redirect, second],
      registration_access_token: info.registration_access_token,
    });
    const dto = (await admin.get(`/api/oidc/clients/${info.client_id}`)).json();
    expect(dto).toMatchObject({ name: 'Managed 2', callbackURLs: [redirect, second], skipConsent: true });

    const updateWith = (body: Record<string, unknown>) =>
      browser.request({
        method: 'PUT',
        path,
        headers: { 'content-type': 'application/json', ...withToken(info.registration_access_token) },
        body: JSON.stringify({ ...read.json(), ...body }),
      });
    expectOAuthError(await updateWith({ client_id: 'someone-else' }), 400, 'invalid_client_metadata');
    expectOAuthError(await updateWith({ client_secret: 'not-the-secret' }), 400, 'invalid_client_metadata');
    expectOAuthError(
      await updateWith({ token_endpoint_auth_method: 'none' }),
      400,
      'invalid_client_metadata',
    );
    expectOAuthError(
      await updateWith({ redirect_uris: ['javascript:alert(1)'] }),
      400,
      'invalid_redirect_uri',
    );

    const wrong = await browser.get(path, withToken('x'.repeat(43)));
    expectOAuthError(wrong, 401, 'invalid_token');
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="latchkey", error="invalid_token"');
    // The admin API key is not a registration access token.
    expectOAuthError(await browser.get(path, withToken(adminKey)), 401, 'invalid_token');
    const bare = await browser.get(path);
    expectOAuthError(bare, 401, 'invalid_token');
    expect(bare.headers['www-authenticate']).toBe('Bearer realm="latchkey"');

    const deleted = await browser.request({
      method: 'DELETE',
      path,
      headers: withToken(info.registration_access_token),
    });
    expect(deleted.status).toBe(204);
    expect((await admin.get(`/api/oidc/clients/${info.client_id}`)).status).toBe(404);
    expectOAuthError(
      await browser.get(path, withToken(info.registration_access_token)),
      401,
      'invalid_token',
    );
  });

  it('registers a public client (none) with PKCE and no secret, and takes X-API-Key too', async ({
    skip,
  }) => {
    if (!server) return skip();
    const res = await register(
      {
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
        client_name: 'CLI',
      },
      { 'x-api-key': adminKey },
    );
    expect(res.status).toBe(201);
    const info = res.json();
    expect(info).not.toHaveProperty('client_secret');
    expect(info.token_endpoint_auth_method).toBe('none');
    const admin = await signInAs(server, adminId);
    expect((await admin.get(`/api/oidc/clients/${info.client_id}`)).json()).toMatchObject({
      isPublic: true,
      pkceEnabled: true,
      credentials: { secrets: [] },
    });
  });

  it('downloads logo_uri like logoUrl, and refuses one it cannot use', async ({ skip }) => {
    if (!server) return skip();
    const res = await register({ redirect_uris: [uniqueRedirect()], logo_uri: `${origin.url}/logo.svg` });
    expect(res.status).toBe(201);
    expect(res.json().logo_uri).toBe(`${origin.url}/logo.svg`);
    const logo = await new Browser(server.url).get(`/api/oidc/clients/${res.json().client_id}/logo`);
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/svg+xml');

    const failed = await register({
      client_id: 'logo-fails',
      redirect_uris: [uniqueRedirect()],
      logo_uri: `${origin.url}/huge`,
    });
    expectOAuthError(failed, 400, 'invalid_client_metadata');
    expect(failed.json().error_description).toContain('logo_uri');
    // Nothing was registered.
    expectOAuthError(
      await register({ client_id: 'logo-fails', redirect_uris: ['bad'] }),
      400,
      'invalid_redirect_uri',
    );
    expect((await register({ client_id: 'logo-fails', redirect_uris: [uniqueRedirect()] })).status).toBe(201);
  });

  it('refuses a missing, unknown or non-admin initial access token (RFC 6750)', async ({ skip }) => {
    if (!server) return skip();
    const body = { redirect_uris: [uniqueRedirect()] };
    const none = await register(body, {});
    expectOAuthError(none, 401, 'invalid_token');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="latchkey"');
    const unknown = await register(body, withToken('not-a-key'));
    expectOAuthError(unknown, 401, 'invalid_token');
    expect(unknown.headers['www-authenticate']).toContain('error="invalid_token"');
    const notAdmin = await register(body, withToken(userKey));
    expectOAuthError(notAdmin, 403, 'insufficient_scope');
    expect(notAdmin.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('answers RFC 7591 §3.2.2 errors for bad metadata, never a 5xx', async ({ skip }) => {
    if (!server) return skip();
    const taken = await register({ client_id: 'taken-id', redirect_uris: [uniqueRedirect()] });
    expect(taken.status).toBe(201);
    const cases: [unknown, string][] = [
      [{ client_id: 'taken-id', redirect_uris: [uniqueRedirect()] }, 'invalid_client_metadata'],
      [{}, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://*.example.com/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: [uniqueRedirect()], grant_types: ['implicit'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [uniqueRedirect()], response_types: ['id_token'] }, 'invalid_client_metadata'],
      [
        { redirect_uris: [uniqueRedirect()], token_endpoint_auth_method: 'private_key_jwt' },
        'invalid_client_metadata',
      ],
      [{ redirect_uris: [uniqueRedirect()], scope: 'openid admin:all' }, 'invalid_client_metadata'],
      [{ redirect_uris: [uniqueRedirect()], client_name: 42 }, 'invalid_client_metadata'],
      [{ redirect_uris: [uniqueRedirect()], client_id: 'bad id!' }, 'invalid_client_metadata'],
      [['not', 'an', 'object'], 'invalid_client_metadata'],
    ];
    for (const [body, error] of cases) {
      const res = await register(body);
      expectOAuthError(res, 400, error);
    }
    const malformed = await new Browser(server.url).request({
      method: 'POST',
      path: '/api/oidc/register',
      headers: { 'content-type': 'application/json', ...withToken(adminKey) },
      body: '{"redirect_uris": [',
    });
    expectOAuthError(malformed, 400, 'invalid_request');
  });
});
