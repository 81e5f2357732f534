import { randomUUID } from 'node:crypto';
import { hashApiKey } from '@latchkey/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';

/** API keys through HTTP (pocket-id-api.md §4.7, §1.5): create, list, renew, revoke, and X-API-Key. */
const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe.each(matrix)('API keys on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId = '';

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    admin = new Browser(server.url);
    const setup = await admin.post('/api/signup/setup', { username: 'ada', email: 'ada@example.com' });
    expect(setup.status).toBe(200);
    adminId = setup.json().id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const withKey = (key: string) => ({ 'x-api-key': key });

  /** A non-admin user with a key (straight into storage: user management is not this feature). */
  async function memberWithKey(expiresAt = new Date(Date.now() + DAY)) {
    const storage = server!.app.storage;
    const key = randomUUID().replaceAll('-', '');
    const user = await storage.database.withScope(async () => {
      const u = await storage.users.insert({
        id: randomUUID(),
        username: `m${key.slice(0, 8)}`,
        email: null,
        emailVerified: false,
        firstName: 'M',
        lastName: null,
        displayName: 'M',
        isAdmin: false,
        locale: null,
        disabled: false,
      });
      await storage.apiKeys.insert({
        id: randomUUID(),
        name: 'member',
        description: null,
        keyHash: hashApiKey(key),
        userId: u.id,
        expiresAt,
      });
      return u;
    });
    return { user, key };
  }

  it('creates a key shown once, stores only its hash, and authenticates as its owner', async ({ skip }) => {
    if (!server) return skip();
    const expiresAt = inDays(30);
    const res = await admin.post('/api/api-keys', { name: 'Terraform', description: 'infra', expiresAt });
    expect(res.status).toBe(201);
    const { apiKey, token } = res.json();
    expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(apiKey).toEqual({
      id: expect.any(String),
      name: 'Terraform',
      description: 'infra',
      expiresAt: new Date(expiresAt).toISOString(),
      lastUsedAt: null,
      createdAt: expect.any(String),
      expirationEmailSent: false,
    });
    const stored = await server.app.storage.database.withScope(() =>
      server!.app.storage.apiKeys.findForUser(apiKey.id, adminId),
    );
    expect(stored!.keyHash).toBe(hashApiKey(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    // as the owner (an admin) on user and admin routes; the use is recorded
    const me = await new Browser(server.url).get('/api/users/me', withKey(token));
    expect(me.status).toBe(200);
    expect(me.json().username).toBe('ada');
    expect((await new Browser(server.url).get('/api/audit-logs/all', withKey(token))).status).toBe(200);
    const listed = (await admin.get('/api/api-keys')).json();
    expect(listed.data.find((k: { id: string }) => k.id === apiKey.id).lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(token);
  });

  it('refuses unknown and expired keys with 401, and any key on browser routes with 403', async ({
    skip,
  }) => {
    if (!server) return skip();
    const anon = new Browser(server.url);
    const wrong = await anon.get('/api/users/me', withKey('x'.repeat(32)));
    expect(wrong.status).toBe(401);
    expect(wrong.json().code).toBe('not_signed_in');
    const expired = await memberWithKey(new Date(Date.now() - 1000));
    const res = await anon.get('/api/users/me', withKey(expired.key));
    expect(res.status).toBe(401);
    expect(res.json().code).toBe('not_signed_in');

    const { key } = await memberWithKey();
    for (const req of [
      anon.post('/api/api-keys', { name: 'minted', expiresAt: inDays(1) }, withKey(key)),
      anon.post(`/api/api-keys/${randomUUID()}/renew`, { expiresAt: inDays(1) }, withKey(key)),
      anon.get('/api/webauthn/register/start', withKey(key)),
    ]) {
      const denied = await req;
      expect(denied.status).toBe(403);
      expect(denied.json().code).toBe('api_key_auth_not_allowed');
    }
    // a member's key is not an admin's
    const forbidden = await anon.get('/api/audit-logs/all', withKey(key));
    expect(forbidden.status).toBe(403);
    expect(forbidden.json().code).toBe('forbidden');
  });

  it('validates the body: name length, expiresAt format and future', async ({ skip }) => {
    if (!server) return skip();
    const malformed = await admin.post('/api/api-keys', { name: 'key', expiresAt: 'tomorrow' });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({
      code: 'validation_failed',
      details: { fields: [{ field: 'expiresAt', code: 'invalid_format' }] },
    });
    const missing = await admin.post('/api/api-keys', { name: 'ab' });
    expect(missing.status).toBe(400);
    expect(
      missing
        .json()
        .errors.map((e: { field: string; code: string }) => [e.field, e.code])
        .sort(),
    ).toEqual([
      ['expiresAt', 'required'],
      ['name', 'too_short'],
    ]);
    const past = await admin.post('/api/api-keys', { name: 'key', expiresAt: inDays(-1) });
    expect(past.status).toBe(400);
    expect(past.json().code).toBe('invalid_api_key_expiration');
    const notJson = await admin.request({ method: 'POST', path: '/api/api-keys', body: 'name=x' });
    expect(notJson.status).toBe(400);
  });

  it('renews only an expired key of the caller, with a new secret', async ({ skip }) => {
    if (!server) return skip();
    const live = (await admin.post('/api/api-keys', { name: 'live', expiresAt: inDays(1) })).json();
    const early = await admin.post(`/api/api-keys/${live.apiKey.id}/renew`, { expiresAt: inDays(60) });
    expect(early.status).toBe(409);
    expect(early.json().code).toBe('api_key_not_expired');

    // let it expire (the clock is the database's row, moved back)
    const storage = server.app.storage;
    await storage.database.withScope(() =>
      storage.orm.em
        .getConnection()
        .execute('update api_keys set expires_at = ? where id = ?', [
          new Date(Date.now() - 1000),
          live.apiKey.id,
        ]),
    );
    expect((await new Browser(server.url).get('/api/users/me', withKey(live.token))).status).toBe(401);
    const bad = await admin.post(`/api/api-keys/${live.apiKey.id}/renew`, { expiresAt: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.json().errors[0].field).toBe('expiresAt');
    const renewed = await admin.post(`/api/api-keys/${live.apiKey.id}/renew`, { expiresAt: inDays(60) });
    expect(renewed.status).toBe(200);
    const body = renewed.json();
    expect(body.apiKey).toMatchObject({ id: live.apiKey.id, name: 'live' });
    expect(Date.parse(body.apiKey.expiresAt)).toBeGreaterThan(Date.now() + 59 * DAY);
    expect(body.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(body.token).not.toBe(live.token);
    expect((await new Browser(server.url).get('/api/users/me', withKey(body.token))).status).toBe(200);
    expect((await new Browser(server.url).get('/api/users/me', withKey(live.token))).status).toBe(401);

    const unknown = await admin.post(`/api/api-keys/${randomUUID()}/renew`, { expiresAt: inDays(1) });
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('api_key_not_found');
  });

  it('lists only the caller’s keys, paginated and sorted; revokes own keys, 404 for another user’s', async ({
    skip,
  }) => {
    if (!server) return skip();
    const member = await memberWithKey();
    const mine = (await new Browser(server.url).get('/api/api-keys', withKey(member.key))).json();
    expect(mine.data.map((k: { name: string }) => k.name)).toEqual(['member']);
    expect(mine.pagination).toEqual({ totalPages: 1, totalItems: 1, currentPage: 1, itemsPerPage: 20 });

    // 'live' was renewed for 60 days, 'Terraform' made for 30
    const adminKeys = (
      await admin.get('/api/api-keys?sort[column]=expiresAt&sort[direction]=DESC&pagination[limit]=1')
    ).json();
    expect(adminKeys.data).toHaveLength(1);
    expect(adminKeys.data[0].name).toBe('live');
    expect(adminKeys.pagination.totalItems).toBeGreaterThanOrEqual(2);

    // the member cannot revoke the admin's key
    const target = adminKeys.data[0].id;
    const other = await new Browser(server.url).request({
      method: 'DELETE',
      path: `/api/api-keys/${target}`,
      headers: withKey(member.key),
    });
    expect(other.status).toBe(404);
    expect(other.json().code).toBe('api_key_not_found');

    expect((await admin.delete(`/api/api-keys/${target}`)).status).toBe(204);
    expect((await admin.delete(`/api/api-keys/${target}`)).status).toBe(404);
    // a key can revoke itself (DELETE is a user route)
    const own = mine.data[0].id;
    const self = await new Browser(server.url).request({
      method: 'DELETE',
      path: `/api/api-keys/${own}`,
      headers: withKey(member.key),
    });
    expect(self.status).toBe(204);
    expect((await new Browser(server.url).get('/api/users/me', withKey(member.key))).status).toBe(401);
  });
});
