import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';

type Setting = { key: string; type: string; value: string; isPublic?: boolean };
const byKey = (list: Setting[]) => Object.fromEntries(list.map((s) => [s.key, s.value]));

const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

/** Application configuration: stored, validated, round-tripped; or read-only from the environment. */
describe.each(matrix)('application configuration on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    admin = new Browser(server.url);
    expect(
      (await admin.post('/api/signup/setup', { username: 'root', email: 'root@example.com' })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('shows the public settings to anyone, and every setting only to admins', async ({ skip }) => {
    if (!server) return skip();
    const pub = (await new Browser(server.url).get('/api/application-configuration')).json() as Setting[];
    expect(byKey(pub)).toMatchObject({
      appName: 'Latchkey',
      allowUserSignups: 'disabled',
      uiConfigDisabled: 'false',
    });
    expect(pub.find((s) => s.key === 'smtpPassword')).toBeUndefined();
    expect(pub.find((s) => s.key === 'sessionDuration')).toBeUndefined();
    expect((await new Browser(server.url).get('/api/application-configuration/all')).status).toBe(401);
    const all = (await admin.get('/api/application-configuration/all')).json() as Setting[];
    expect(all.length).toBeGreaterThan(40);
    expect(all.find((s) => s.key === 'sessionDuration')).toEqual({
      key: 'sessionDuration',
      type: 'number',
      value: '60',
      isPublic: false,
    });
  });

  it('round-trips a get-modify-put, and features read the new values', async ({ skip }) => {
    if (!server) return skip();
    const all = byKey((await admin.get('/api/application-configuration/all')).json());
    const put = await admin.request({
      method: 'PUT',
      path: '/api/application-configuration',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...all,
        appName: 'Acme ID',
        sessionDuration: '5',
        signupDefaultUserGroupIDs: '["g1"]',
      }),
    });
    expect(put.status).toBe(200);
    expect(byKey(put.json())).toMatchObject({ appName: 'Acme ID', sessionDuration: '5' });
    expect(byKey((await new Browser(server.url).get('/api/application-configuration')).json()).appName).toBe(
      'Acme ID',
    );
    // the session duration now sets the sign-in cookie's lifetime
    const code = (await admin.post('/api/users/me/one-time-access-token', {})).json().token;
    const spent = await new Browser(server.url).post(`/api/one-time-access-token/${code}`);
    expect(String(spent.headers['set-cookie'])).toContain('Max-Age=300');
  });

  it('refuses invalid values naming each key, and changes nothing', async ({ skip }) => {
    if (!server) return skip();
    const before = (await admin.get('/api/application-configuration/all')).json();
    const res = await admin.request({
      method: 'PUT',
      path: '/api/application-configuration',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        appName: 'x'.repeat(31),
        sessionDuration: 'abc',
        allowUserSignups: 'sometimes',
        requireUserEmail: true,
        signupDefaultCustomClaims: '[{"key":1}]',
      }),
    });
    expect(res.status).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(
      [
        'allowUserSignups',
        'appName',
        'requireUserEmail',
        'sessionDuration',
        'signupDefaultCustomClaims',
      ].sort(),
    );
    expect((await admin.get('/api/application-configuration/all')).json()).toEqual(before);
  });

  it('puts missing keys back to their defaults', async ({ skip }) => {
    if (!server) return skip();
    const res = await admin.request({
      method: 'PUT',
      path: '/api/application-configuration',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(byKey(res.json())).toMatchObject({ appName: 'Latchkey', sessionDuration: '60' });
  });

  it('serves the built-in logo and favicon', async ({ skip }) => {
    if (!server) return skip();
    for (const name of ['logo', 'favicon']) {
      const res = await new Browser(server.url).get(`/api/application-images/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
      expect(res.text).toContain('<svg');
    }
    expect((await new Browser(server.url).get('/api/application-images/background')).status).toBe(404);
  });
});

describe('application configuration with UI_CONFIG_DISABLED', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: {
        UI_CONFIG_DISABLED: 'true',
        APP_NAME: 'Corp ID',
        SMTP_PASSWORD: 'hunter2',
        ALLOW_USER_SIGNUPS: 'open',
      },
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('takes the settings from the environment and refuses edits', async () => {
    const admin = new Browser(server.url);
    expect(
      (await admin.post('/api/signup/setup', { username: 'root', email: 'root@example.com' })).status,
    ).toBe(200);
    expect(byKey((await admin.get('/api/application-configuration')).json())).toMatchObject({
      appName: 'Corp ID',
      allowUserSignups: 'open',
      uiConfigDisabled: 'true',
    });
    const all = byKey((await admin.get('/api/application-configuration/all')).json());
    expect(all.smtpPassword).toBe('XXXXXXXXXX');
    const put = await admin.request({
      method: 'PUT',
      path: '/api/application-configuration',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(403);
    expect(put.json().code).toBe('ui_config_disabled');
  });

  it('refuses to start with a bad setting variable, naming it', async () => {
    await expect(
      startServer({ env: { UI_CONFIG_DISABLED: 'true', SESSION_DURATION: 'forever' } }),
    ).rejects.toThrow(/SESSION_DURATION/);
  });
});
