import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import {
  basic,
  expectOAuthError,
  insecure,
  TOKEN_MATRIX,
  useTokenFixture,
  type AppClient,
  type TokenFixture,
} from './token-fixture.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/**
 * RFC 8628 with Pocket ID's routes (pocket-id-api.md §4.13): the device's request, the browser's info
 * and approval, and the polling device, through openid-client and oauth4webapi.
 */
describe.each(TOKEN_MATRIX)('device flow on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);

  const start = async (f: TokenFixture, rp: AppClient = f.rp, scope = 'openid profile email') => {
    const res = await f.post('/api/oidc/device/authorize', { scope }, rp);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return (await res.json()) as DeviceStart;
  };
  const poll = (f: TokenFixture, deviceCode: string, rp: AppClient = f.rp) =>
    f.post('/api/oidc/token', { grant_type: DEVICE_GRANT, device_code: deviceCode }, rp);
  const info = (browser: Browser, code: string) =>
    browser.get(`/api/oidc/device/info?code=${encodeURIComponent(code)}`);
  const verify = (browser: Browser, code: string) =>
    browser.post(`/api/oidc/device/verify?code=${encodeURIComponent(code)}`);

  it('signs a device in through openid-client: request, approval on the browser side, polling', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const config = await client.discovery(new URL(f.server.url), f.rp.id, f.rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const response = await client.initiateDeviceAuthorization(config, { scope: 'openid profile email' });
    expect(response.user_code).toMatch(/^E[ABCDEFGHJKMNPQRSTUVWXYZ0-9]{7}$/);
    expect(response.verification_uri).toBe(`${f.server.url}/device`);
    expect(response.verification_uri_complete).toBe(`${f.server.url}/device?user_code=${response.user_code}`);
    expect(response.expires_in).toBe(900);
    expect(response.interval).toBe(5);

    // The person types the code, loosely (lower case): the page shows what the app asks for.
    const shown = await info(f.admin, response.user_code.toLowerCase());
    expect(shown.status).toBe(200);
    expect(shown.json()).toMatchObject({
      scope: ['openid', 'profile', 'email'],
      scopeInfo: [],
      authorizationRequired: true,
      reauthenticationRequired: false,
      client: { id: f.rp.id },
    });
    expect((await verify(f.admin, response.user_code)).status).toBe(204);
    // Approved once: the code is spent for the browser.
    expect((await verify(f.admin, response.user_code)).json()).toMatchObject({
      code: 'oidc_invalid_device_code',
    });

    const tokens = await client.pollDeviceAuthorizationGrant(config, response);
    expect(tokens.refresh_token).toBeDefined();
    const jwks = createRemoteJWKSet(new URL(`${f.server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: f.server.url, audience: f.rp.id });
    expect(payload.sub).toBe(f.adminId);
    expect(payload.email).toBe('root@example.com');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, f.adminId);
    expect(userinfo.sub).toBe(f.adminId);

    // The approval is audited as Pocket ID does.
    const audit = await f.admin.get('/api/audit-logs');
    const events = (audit.json().data as { event: string }[]).map((e) => e.event);
    expect(
      events.some((e) => e === 'NEW_DEVICE_CODE_AUTHORIZATION' || e === 'DEVICE_CODE_AUTHORIZATION'),
    ).toBe(true);
  }, 30_000);

  it('answers the polling device with pending, slow_down, access_denied and invalid_grant', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const pending = await start(f);
    await expectOAuthError(await poll(f, pending.device_code), 400, 'authorization_pending');
    // Polled again at once: too fast.
    await expectOAuthError(await poll(f, pending.device_code), 400, 'slow_down');

    const denied = await start(f);
    expect((await f.admin.post(`/api/oidc/device/deny?code=${denied.user_code}`)).status).toBe(204);
    await expectOAuthError(await poll(f, denied.device_code), 400, 'access_denied');
    await expectOAuthError(await poll(f, denied.device_code), 400, 'invalid_grant');

    // Another client's device code, an unknown one, a missing one.
    const theirs = await start(f, f.other);
    await expectOAuthError(await poll(f, theirs.device_code), 400, 'invalid_grant');
    await expectOAuthError(await poll(f, 'no-such-device-code'), 400, 'invalid_grant');
    await expectOAuthError(
      await f.post('/api/oidc/token', { grant_type: DEVICE_GRANT }),
      400,
      'invalid_request',
    );
    await expectOAuthError(
      await f.post('/api/oidc/token', {
        grant_type: DEVICE_GRANT,
        device_code: 'x',
        resource: 'https://api',
      }),
      400,
      'invalid_target',
    );
  });

  it('reports an expired code to the device and to the browser', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const started = await start(f);
    const { storage } = f.server.app;
    // Fifteen minutes later, without waiting them out.
    const code = await storage.database.withScope(() =>
      storage.deviceCodes.findByUserCode(started.user_code),
    );
    await storage.database.withScope(async () => {
      await storage.deviceCodes.deleteExpired(new Date(code!.expiresAt.getTime()));
      await storage.deviceCodes.insert({ ...code!, expiresAt: new Date(Date.now() - 1000) });
    });
    await expectOAuthError(await poll(f, started.device_code), 400, 'expired_token');
    const res = await info(f.admin, started.user_code);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'oidc_device_code_expired' });
  });

  it('issues tokens once when an approved code is polled by many devices at once', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const started = await start(f);
    expect((await verify(f.admin, started.user_code)).status).toBe(204);
    const results = await Promise.all(Array.from({ length: 10 }, () => poll(f, started.device_code)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400)).toBe(true);
  });

  it('refuses bad input on the browser side with problems that name it', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const missing = await f.admin.get('/api/oidc/device/info');
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'code' }] });
    const unknown = await info(f.admin, 'EZZZZZZZ');
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'oidc_invalid_device_code' });
    expect((await verify(f.admin, 'EZZZZZZZ')).status).toBe(400);
    // Signed out, or with an API key only: no approving.
    const started = await start(f);
    expect((await verify(new Browser(f.server.url), started.user_code)).status).toBe(401);
  });

  it('asks for a fresh passkey when the client requires re-authentication, and enforces allowed groups', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const strict = await f.createClient({ requiresReauthentication: true }, true);
    const started = await start(f, strict);
    expect((await info(f.admin, started.user_code)).json()).toMatchObject({ reauthenticationRequired: true });
    const res = await verify(f.admin, started.user_code);
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'reauthentication_required' });

    const group = await f.admin.post('/api/user-groups', { name: `g${Date.now()}`, friendlyName: 'Few' });
    expect(group.status).toBe(201);
    const restricted = await f.createClient({ isGroupRestricted: true }, true);
    const put = await f.admin.request({
      method: 'PUT',
      path: `/api/oidc/clients/${restricted.id}/allowed-user-groups`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userGroupIds: [group.json().id] }),
    });
    expect(put.status).toBe(200);
    const closed = await start(f, restricted);
    const refused = await verify(f.admin, closed.user_code);
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'oidc_access_denied' });
  });

  it('authenticates the device as the token endpoint does, and is advertised in discovery', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const bad = await fetch(`${f.server.url}/api/oidc/device/authorize`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(f.rp.id, 'wrong-secret-wrong-secret'),
      },
      body: 'scope=openid',
    });
    await expectOAuthError(bad, 401, 'invalid_client');
    // A public client names itself.
    const pub = await f.post('/api/oidc/device/authorize', { client_id: f.spa.id, scope: 'openid' }, null);
    expect(pub.status).toBe(200);

    const as = await oauth.processDiscoveryResponse(
      new URL(f.server.url),
      await oauth.discoveryRequest(new URL(f.server.url), insecure),
    );
    expect(as.device_authorization_endpoint).toBe(`${f.server.url}/api/oidc/device/authorize`);
    expect(as.grant_types_supported).toContain(DEVICE_GRANT);
  });
});
