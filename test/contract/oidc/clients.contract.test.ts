import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, put, setupAdmin, signInAs } from '../accounts/account-helpers.js';

/** OIDC client CRUD, allowed groups and secrets (pocket-id-api.md §4.10, §9), through HTTP. */
describe.each(ACCOUNT_MATRIX)('OIDC clients on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let counter = 0;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect, env: { ALLOW_INSECURE_CALLBACK_URLS: 'false' } });
    ({ browser: admin } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const aClientBody = (overrides: Record<string, unknown> = {}) => {
    counter += 1;
    return { name: `App ${counter}`, callbackURLs: [`https://app${counter}.example.com/cb`], ...overrides };
  };
  const createClient = async (overrides: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/oidc/clients', aClientBody(overrides));
    expect(res.status).toBe(201);
    return res.json();
  };

  it('refuses anonymous callers (401) and non-admins (403); /meta is public', async ({ skip }) => {
    if (!server) return skip();
    const client = await createClient();
    const user = await signInAs(server, (await admin.post('/api/users', aUserBody())).json().id);
    const anonymous = new Browser(server.url);
    const paths = (b: Browser) => [
      b.get('/api/oidc/clients'),
      b.post('/api/oidc/clients', aClientBody()),
      b.get(`/api/oidc/clients/${client.id}`),
      put(b, `/api/oidc/clients/${client.id}`, aClientBody()),
      b.delete(`/api/oidc/clients/${client.id}`),
      put(b, `/api/oidc/clients/${client.id}/allowed-user-groups`, { userGroupIds: [] }),
      b.get(`/api/oidc/clients/${client.id}/secrets`),
      b.post(`/api/oidc/clients/${client.id}/secrets`, {}),
      b.delete(`/api/oidc/clients/${client.id}/secrets/00000000-0000-4000-8000-000000000000`),
    ];
    for (const res of await Promise.all(paths(anonymous))) {
      expect(res.status).toBe(401);
      expect(res.json().code).toBe('not_signed_in');
    }
    for (const res of await Promise.all(paths(user))) {
      expect(res.status).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    const meta = await anonymous.get(`/api/oidc/clients/${client.id}/meta`);
    expect(meta.status).toBe(200);
    expect(meta.json()).toEqual({
      id: client.id,
      name: client.name,
      description: null,
      hasLogo: false,
      hasDarkLogo: false,
      launchURL: null,
      requiresReauthentication: false,
      clientType: 'standard',
    });
    const unknownMeta = await anonymous.get('/api/oidc/clients/nope-nope/meta');
    expect(unknownMeta.status).toBe(404);
    expect(unknownMeta.json()).toMatchObject({ code: 'not_found', details: { resource: 'OIDC client' } });
  });

  it('creates a client with a generated UUID and the defaults, reads, replaces and deletes it', async ({
    skip,
  }) => {
    if (!server) return skip();
    const res = await admin.post('/api/oidc/clients', {
      name: 'Cre\u0301ateur',
      description: 'Notes',
      callbackURLs: ['https://grafana.example.com/login/generic_oauth', 'https://*.example.com/**'],
      logoutCallbackURLs: ['https://grafana.example.com/logout'],
      launchURL: 'https://grafana.example.com',
    });
    expect(res.status).toBe(201);
    const client = res.json();
    expect(client).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: 'Cr\u00e9ateur',
      description: 'Notes',
      hasLogo: false,
      hasDarkLogo: false,
      launchURL: 'https://grafana.example.com',
      requiresReauthentication: false,
      clientType: 'standard',
      callbackURLs: ['https://grafana.example.com/login/generic_oauth', 'https://*.example.com/**'],
      logoutCallbackURLs: ['https://grafana.example.com/logout'],
      isPublic: false,
      pkceEnabled: false,
      requiresPushedAuthorizationRequests: false,
      skipConsent: false,
      credentials: { secrets: [] },
      isGroupRestricted: false,
      accessTokenDurationMinutes: 60,
      refreshTokenDurationMinutes: 43200,
      idTokenDurationMinutes: null,
      backchannelLogoutURI: null,
      allowedUserGroups: [],
    });
    expect((await admin.get(`/api/oidc/clients/${client.id}`)).json()).toEqual(client);

    const replaced = await put(admin, `/api/oidc/clients/${client.id}`, {
      name: 'Grafana',
      callbackURLs: ['http://localhost:3000/cb'],
      pkceEnabled: true,
      requiresReauthentication: true,
      requiresPushedAuthorizationRequests: true,
      skipConsent: true,
      accessTokenDurationMinutes: 5,
      refreshTokenDurationMinutes: 525600,
      idTokenDurationMinutes: 10,
      backchannelLogoutURI: 'https://grafana.example.com/bc',
      id: 'ignored-on-update',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json()).toMatchObject({
      id: client.id,
      name: 'Grafana',
      description: null,
      launchURL: null,
      logoutCallbackURLs: [],
      pkceEnabled: true,
      requiresReauthentication: true,
      requiresPushedAuthorizationRequests: true,
      skipConsent: true,
      accessTokenDurationMinutes: 5,
      refreshTokenDurationMinutes: 525600,
      idTokenDurationMinutes: 10,
      backchannelLogoutURI: 'https://grafana.example.com/bc',
    });

    expect((await admin.delete(`/api/oidc/clients/${client.id}`)).status).toBe(204);
    for (const gone of [
      await admin.get(`/api/oidc/clients/${client.id}`),
      await admin.delete(`/api/oidc/clients/${client.id}`),
      await put(admin, `/api/oidc/clients/${client.id}`, aClientBody()),
      await put(admin, `/api/oidc/clients/${client.id}/allowed-user-groups`, { userGroupIds: [] }),
      await admin.get(`/api/oidc/clients/${client.id}/secrets`),
      await admin.post(`/api/oidc/clients/${client.id}/secrets`, {}),
    ]) {
      expect(gone.status).toBe(404);
      expect(gone.json()).toMatchObject({ code: 'not_found', details: { resource: 'OIDC client' } });
    }
  });

  it('takes a custom id (2–128 of [a-zA-Z0-9._-]) and answers 409 client_id_already_exists', async ({
    skip,
  }) => {
    if (!server) return skip();
    const long = `a${'b'.repeat(126)}c`;
    expect((await createClient({ id: 'my.app_1-x' })).id).toBe('my.app_1-x');
    expect((await createClient({ id: long })).id).toBe(long);
    expect((await admin.get(`/api/oidc/clients/${long}`)).status).toBe(200);
    const clash = await admin.post('/api/oidc/clients', aClientBody({ id: 'my.app_1-x' }));
    expect(clash.status).toBe(409);
    expect(clash.json().code).toBe('client_id_already_exists');
    for (const [id, code] of [
      ['a', 'too_short'],
      [`${long}d`, 'too_long'],
      ['has space', 'invalid_format'],
      ['slash/id', 'invalid_format'],
    ] as const) {
      const res = await admin.post('/api/oidc/clients', aClientBody({ id }));
      expect(res.status).toBe(400);
      expect(res.json().details.fields).toContainEqual(expect.objectContaining({ field: 'id', code }));
    }
  });

  it('validates the body', async ({ skip }) => {
    if (!server) return skip();
    for (const [body, field, code] of [
      [{ callbackURLs: [] }, 'name', 'required'],
      [{ name: '' }, 'name', 'too_short'],
      [{ name: 'x'.repeat(51) }, 'name', 'too_long'],
      [{ name: 'ok', description: 'x'.repeat(151) }, 'description', 'too_long'],
      [{ name: 'ok', callbackURLs: 'https://a/cb' }, 'callbackURLs', 'type'],
      [{ name: 'ok', isPublic: 'yes' }, 'isPublic', 'type'],
      [{ name: 'ok', launchURL: 'not a url' }, 'launchURL', 'invalid_format'],
      [{ name: 'ok', backchannelLogoutURI: 'ftp://x' }, 'backchannelLogoutURI', 'invalid_format'],
      [{ name: 'ok', accessTokenDurationMinutes: 1.5 }, 'accessTokenDurationMinutes', 'type'],
      [{ name: 'ok', accessTokenDurationMinutes: -1 }, 'accessTokenDurationMinutes', 'token_duration'],
      [{ name: 'ok', refreshTokenDurationMinutes: 525601 }, 'refreshTokenDurationMinutes', 'token_duration'],
      [{ name: 'ok', idTokenDurationMinutes: 600000 }, 'idTokenDurationMinutes', 'token_duration'],
    ] as const) {
      const res = await admin.post('/api/oidc/clients', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      expect(res.json().details.fields).toContainEqual(expect.objectContaining({ field, code }));
    }
    const zero = await createClient({ accessTokenDurationMinutes: 0, refreshTokenDurationMinutes: 0 });
    expect(zero).toMatchObject({ accessTokenDurationMinutes: 60, refreshTokenDurationMinutes: 43200 });
    const notJson = await admin.request({
      method: 'POST',
      path: '/api/oidc/clients',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.json().code).toBe('invalid_request_body');
  });

  it('validates callback URLs (§9) and refuses insecure ones when ALLOW_INSECURE_CALLBACK_URLS=false', async ({
    skip,
  }) => {
    if (!server) return skip();
    for (const ok of [
      ['*'],
      ['https://*.example.com/cb', 'https://app.example.com:*/**'],
      ['*://app.example.com/cb'],
      ['http://localhost/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb'],
      ['com.example.app:/oauth2redirect'],
    ]) {
      const res = await admin.post('/api/oidc/clients', aClientBody({ callbackURLs: ok }));
      expect(res.status, ok.join()).toBe(201);
    }
    for (const [field, url] of [
      ['callbackURLs', 'app.example.com/cb'],
      ['callbackURLs', 'javascript:alert(1)'],
      ['callbackURLs', 'data:text/html,hi'],
      ['callbackURLs', 'https://exa mple.com/cb'],
      ['callbackURLs', 'http://app.example.com/cb'],
      ['logoutCallbackURLs', 'http://app.example.com/logout'],
      ['logoutCallbackURLs', 'nope'],
    ] as const) {
      const res = await admin.post(
        '/api/oidc/clients',
        aClientBody({ [field]: ['https://fine.example/cb', url] }),
      );
      expect(res.status, url).toBe(400);
      expect(res.json()).toMatchObject({ code: 'oidc_invalid_callback_url', details: { url, field } });
      expect(res.json().error).toContain(url);
    }
    const client = await createClient();
    const bad = await put(
      admin,
      `/api/oidc/clients/${client.id}`,
      aClientBody({ callbackURLs: ['javascript:x'] }),
    );
    expect(bad.json().code).toBe('oidc_invalid_callback_url');
  });

  it('forces PKCE on public clients, which get no secrets', async ({ skip }) => {
    if (!server) return skip();
    const spa = await createClient({ isPublic: true, pkceEnabled: false });
    expect(spa).toMatchObject({ isPublic: true, pkceEnabled: true });
    const res = await admin.post(`/api/oidc/clients/${spa.id}/secrets`, {});
    expect(res.status).toBe(400);
    expect(res.json().code).toBe('oidc_public_client_secret');
    expect((await admin.get(`/api/oidc/clients/${spa.id}/secrets`)).json()).toEqual([]);
    const updated = await put(admin, `/api/oidc/clients/${spa.id}`, aClientBody({ isPublic: true }));
    expect(updated.json().pkceEnabled).toBe(true);
  });

  it('creates secrets shown once, lists and deletes them, and caps them at 20', async ({ skip }) => {
    if (!server) return skip();
    const client = await createClient();
    const base = `/api/oidc/clients/${client.id}/secrets`;
    // an empty body is allowed (§1.1)
    const generated = await admin.request({ method: 'POST', path: base });
    expect(generated.status).toBe(201);
    expect(generated.headers['cache-control']).toBe('no-store');
    const first = generated.json();
    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      prefix: first.secret.slice(0, 4),
      createdAt: expect.any(String),
      expiresAt: null,
      isActive: true,
      secret: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    });
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const custom = await admin.post(base, { secret: 'my own secret! 0123', expiresAt });
    expect(custom.status).toBe(201);
    expect(custom.json()).toMatchObject({ prefix: 'my o', secret: 'my own secret! 0123', isActive: true });
    expect(Date.parse(custom.json().expiresAt)).toBe(Date.parse(expiresAt));

    const listed = (await admin.get(base)).json();
    expect(listed).toHaveLength(2);
    expect(listed.map((s: { id: string }) => s.id).sort()).toEqual([first.id, custom.json().id].sort());
    for (const s of listed)
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'isActive', 'prefix']);
    expect(JSON.stringify((await admin.get(`/api/oidc/clients/${client.id}`)).json())).not.toContain(
      first.secret,
    );
    expect((await admin.get(`/api/oidc/clients/${client.id}`)).json().credentials.secrets).toHaveLength(2);

    for (const [body, field, code] of [
      [{ secret: 'too short' }, 'secret', 'too_short'],
      [{ secret: 'non-ascii secret \u00e9\u00e9\u00e9\u00e9' }, 'secret', 'invalid_format'],
      [{ secret: 'tab\tin the secret value' }, 'secret', 'invalid_format'],
      [{ expiresAt: 'tomorrow' }, 'expiresAt', 'invalid_format'],
      [{ expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt', 'invalid_expiration'],
    ] as const) {
      const res = await admin.post(base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json().details.fields).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect((await admin.post(base, [])).status).toBe(400);

    expect((await admin.delete(`${base}/${first.id}`)).status).toBe(204);
    const again = await admin.delete(`${base}/${first.id}`);
    expect(again.status).toBe(404);
    expect(again.json()).toMatchObject({ code: 'not_found', details: { resource: 'Client secret' } });
    // a secret id of another client is not found through this one
    const other = await createClient();
    expect((await admin.delete(`/api/oidc/clients/${other.id}/secrets/${custom.json().id}`)).status).toBe(
      404,
    );

    for (let i = 0; i < 19; i++) expect((await admin.post(base, {})).status).toBe(201);
    const over = await admin.post(base, {});
    expect(over.status).toBe(400);
    expect(over.json()).toMatchObject({ code: 'oidc_client_secret_limit_reached', details: { max: 20 } });
    expect((await admin.get(base)).json()).toHaveLength(20);
  });

  it('verifySecret accepts the value shown once and nothing else', async ({ skip }) => {
    if (!server) return skip();
    const client = await createClient();
    const { secret } = (await admin.post(`/api/oidc/clients/${client.id}/secrets`, {})).json();
    const { storage, config } = server.app;
    const { OidcClientService } = await import('@latchkey/core');
    const service = new OidcClientService({
      clients: storage.oidcClients,
      database: storage.database,
      allowInsecureCallbackUrls: config.allowInsecureCallbackUrls,
    });
    await storage.database.withScope(async () => {
      expect(await service.verifySecret(client.id, secret)).toBe(true);
      expect(await service.verifySecret(client.id, `${secret}x`)).toBe(false);
    });
  });

  it('replaces allowed groups, ignoring unknown ids; unrestricting clears them; delete cascades', async ({
    skip,
  }) => {
    if (!server) return skip();
    const group = (await admin.post('/api/user-groups', { name: 'cl-devs', friendlyName: 'Devs' })).json();
    const client = await createClient({ isGroupRestricted: true });
    const set = await put(admin, `/api/oidc/clients/${client.id}/allowed-user-groups`, {
      userGroupIds: [group.id, group.id, '6a1f1a0e-0000-4000-8000-000000000000'],
    });
    expect(set.status).toBe(200);
    expect(set.json().allowedUserGroups).toEqual([
      expect.objectContaining({ id: group.id, name: 'cl-devs', friendlyName: 'Devs' }),
    ]);
    const missing = await put(admin, `/api/oidc/clients/${client.id}/allowed-user-groups`, {});
    expect(missing.json().details.fields).toContainEqual(
      expect.objectContaining({ field: 'userGroupIds', code: 'required' }),
    );
    const list = (await admin.get(`/api/oidc/clients?search=${encodeURIComponent(client.name)}`)).json();
    expect(list.data).toEqual([expect.objectContaining({ id: client.id, allowedUserGroupsCount: 1 })]);

    // §4.10: isGroupRestricted false clears the allowed groups
    const unrestricted = await put(
      admin,
      `/api/oidc/clients/${client.id}`,
      aClientBody({ isGroupRestricted: false }),
    );
    expect(unrestricted.json().allowedUserGroups).toEqual([]);

    await put(admin, `/api/oidc/clients/${client.id}/allowed-user-groups`, { userGroupIds: [group.id] });
    await admin.post(`/api/oidc/clients/${client.id}/secrets`, {});
    expect((await admin.delete(`/api/oidc/clients/${client.id}`)).status).toBe(204);
    const em = server.app.storage.orm.em.fork();
    const conn = em.getConnection();
    expect(
      await conn.execute('select * from oidc_client_secrets where client_id = ?', [client.id]),
    ).toHaveLength(0);
    expect(
      await conn.execute('select * from oidc_client_allowed_groups where client_id = ?', [client.id]),
    ).toHaveLength(0);
    expect((await admin.get(`/api/user-groups/${group.id}`)).status).toBe(200);
  });

  it('lists with pagination, search, sort and filters (§1.3)', async ({ skip }) => {
    if (!server) return skip();
    const tag = `ls${Date.now().toString(36)}`;
    await createClient({ name: `${tag} charlie`, skipConsent: true });
    await createClient({ name: `${tag} Alpha`, pkceEnabled: true });
    await createClient({ name: `${tag} bravo`, isPublic: true });
    const q = (query: string) => admin.get(`/api/oidc/clients?search=${tag}&${query}`);
    const byName = (await q('sort[column]=name&sort[direction]=desc')).json();
    expect(byName.data.map((c: { name: string }) => c.name)).toEqual([
      `${tag} charlie`,
      `${tag} bravo`,
      `${tag} Alpha`,
    ]);
    expect(byName.pagination).toEqual({ totalPages: 1, totalItems: 3, currentPage: 1, itemsPerPage: 20 });
    const paged = (await q('pagination[limit]=2&pagination[page]=9')).json();
    expect(paged.pagination).toEqual({ totalPages: 2, totalItems: 3, currentPage: 2, itemsPerPage: 2 });
    expect(paged.data).toHaveLength(1);
    const pkce = (await q('filters[pkceEnabled]=true')).json();
    expect(pkce.data.map((c: { name: string }) => c.name).sort()).toEqual([`${tag} Alpha`, `${tag} bravo`]);
    const consent = (await q('filters[skipConsent]=true&filters[clientType]=standard')).json();
    expect(consent.data.map((c: { name: string }) => c.name)).toEqual([`${tag} charlie`]);
    // unknown columns are ignored
    expect((await q('filters[name]=x&sort[column]=secret')).json().pagination.totalItems).toBe(3);
    const none = (await admin.get('/api/oidc/clients?search=no-such-client-anywhere')).json();
    expect(none).toEqual({
      data: [],
      pagination: { totalPages: 1, totalItems: 0, currentPage: 1, itemsPerPage: 20 },
    });
  });

  it('with ALLOW_INSECURE_CALLBACK_URLS=false, refuses logo URLs on loopback and private networks', async ({
    skip,
  }) => {
    if (!server) return skip();
    // An IP literal is checked before connecting, a host name at its DNS lookup (localhost → loopback).
    for (const logoUrl of [
      'http://127.0.0.1:9/logo.png',
      'http://localhost:9/logo.png',
      'http://10.0.0.1/l.png',
    ]) {
      const res = await admin.post('/api/oidc/clients', aClientBody({ logoUrl }));
      expect(res.status, logoUrl).toBe(422);
      expect(res.json()).toMatchObject({ code: 'logo_download_failed', details: { field: 'logoUrl' } });
      expect(res.json().detail).toMatch(/loopback or private network/);
    }
  });
});
