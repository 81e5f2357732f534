import { randomUUID } from 'node:crypto';
import { AUDIT_LOG_RETENTION_JOB_ID, hashApiKey } from '@latchkey/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { SoftwareAuthenticator } from '../../support/webauthn/authenticator.js';

/** The audit log through HTTP: entries written from real events, own and admin lists, filters, retention. */
const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0';
const DAY = 86_400_000;

describe.each(matrix)('audit log on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId = '';
  const adminDevice = new SoftwareAuthenticator();
  let member = { id: '', key: '' };

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect, env: { AUDIT_LOG_RETENTION_DAYS: '30' } });
    admin = new Browser(server.url);
    const setup = await admin.post('/api/signup/setup', { username: 'ada', email: 'ada@example.com' });
    expect(setup.status).toBe(200);
    adminId = setup.json().id;
    const start = await admin.get('/api/webauthn/register/start');
    const finish = await admin.post(
      '/api/webauthn/register/finish',
      adminDevice.register(start.json(), { origin: server.url }),
    );
    expect(finish.status).toBe(200);
    // a member (not an admin) who calls with an API key
    const storage = server.app.storage;
    const user = await storage.database.withScope(() =>
      storage.users.insert({
        id: randomUUID(),
        username: 'bert',
        email: null,
        emailVerified: false,
        firstName: 'Bert',
        lastName: null,
        displayName: 'Bert',
        isAdmin: false,
        locale: null,
        disabled: false,
      }),
    );
    member = { id: user.id, key: 'memberkey' + randomUUID().replaceAll('-', '').slice(0, 23) };
    await storage.database.withScope(() =>
      storage.apiKeys.insert({
        id: randomUUID(),
        name: 'member',
        description: null,
        keyHash: hashApiKey(member.key),
        userId: user.id,
        expiresAt: new Date(Date.now() + DAY),
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  const asMember = (path: string) => new Browser(server!.url).get(path, { 'x-api-key': member.key });

  async function signIn(browser: Browser, userAgent: string) {
    const start = await browser.get('/api/webauthn/login/start');
    return browser.post(
      '/api/webauthn/login/finish',
      adminDevice.authenticate(start.json(), { origin: server!.url }),
      { 'user-agent': userAgent },
    );
  }

  it('writes no entry for first-admin setup, and a SIGN_IN with IP, location and device after a passkey sign-in', async ({
    skip,
  }) => {
    if (!server) return skip();
    const before = (await admin.get('/api/audit-logs?filters[event]=SIGN_IN')).json();
    expect(before.data).toEqual([]);
    expect((await admin.get('/api/audit-logs?filters[event]=ACCOUNT_CREATED')).json().data).toEqual([]);

    expect((await signIn(admin, FIREFOX_LINUX)).status).toBe(200);
    const res = await admin.get('/api/audit-logs?filters[event]=SIGN_IN');
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.pagination).toEqual({ totalPages: 1, totalItems: 1, currentPage: 1, itemsPerPage: 20 });
    expect(body.data[0]).toEqual({
      id: expect.any(String),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      event: 'SIGN_IN',
      ipAddress: '127.0.0.1',
      country: 'Internal Network',
      city: 'localhost',
      device: 'Firefox on Linux',
      userID: adminId,
      data: {},
    });
  });

  it('records passkey events from the bus with Pocket ID data, and an admin acting for someone else', async ({
    skip,
  }) => {
    if (!server) return skip();
    const client = { ip: '203.0.113.9', userAgent: FIREFOX_LINUX };
    await server.app.events.emit('passkey.removed', {
      userId: member.id,
      passkeyId: randomUUID(),
      name: 'Old key',
      actorUserId: adminId,
      credentialId: Buffer.from([1, 2, 255]).toString('base64url'),
      client,
    });
    const [entry] = (await asMember('/api/audit-logs?filters[event]=PASSKEY_REMOVED')).json().data;
    expect(entry).toMatchObject({
      event: 'PASSKEY_REMOVED',
      userID: member.id,
      ipAddress: '203.0.113.9',
      country: '',
      city: '',
      actorUsername: 'ada',
      data: { credentialID: '0102ff', passkeyName: 'Old key', actorUserID: adminId, actorUsername: 'ada' },
    });
  });

  it('shows a user only their own entries; admins see all, with usernames, and the filter lists', async ({
    skip,
  }) => {
    if (!server) return skip();
    const storage = server.app.storage;
    const add = (userId: string, event: string, extra: Record<string, unknown> = {}) =>
      storage.database.withScope(() =>
        storage.auditLogs.insert({
          id: randomUUID(),
          event,
          ipAddress: '198.51.100.1',
          userAgent: null,
          country: 'Germany',
          city: 'Berlin',
          data: {},
          userId,
          ...extra,
        }),
      );
    await add(member.id, 'CLIENT_AUTHORIZATION', { data: { clientName: 'Grafana' } });
    await add(member.id, 'NEW_CLIENT_AUTHORIZATION', { data: { clientName: 'Immich' } });
    await add(adminId, 'CLIENT_AUTHORIZATION', { data: { clientName: 'Grafana' } });

    const own = (await asMember('/api/audit-logs')).json();
    expect(own.data.every((e: { userID: string }) => e.userID === member.id)).toBe(true);
    expect(own.data.some((e: Record<string, unknown>) => 'username' in e)).toBe(false);
    // a user's filter on someone else's id still sees only their own entries
    expect((await asMember(`/api/audit-logs?filters[userID]=${adminId}`)).json().data).toEqual([]);

    for (const path of [
      '/api/audit-logs/all',
      '/api/audit-logs/filters/users',
      '/api/audit-logs/filters/client-names',
    ]) {
      const denied = await asMember(path);
      expect(denied.status).toBe(403);
      expect(denied.json().code).toBe('forbidden');
      expect((await new Browser(server.url).get(path)).status).toBe(401);
    }

    const grafana = (await admin.get('/api/audit-logs/all?filters[clientName]=Grafana')).json();
    expect(grafana.data.map((e: { username: string }) => e.username).sort()).toEqual(['ada', 'bert']);
    const bertsGrafana = (
      await admin.get(`/api/audit-logs/all?filters[clientName]=Grafana&filters[userID]=${member.id}`)
    ).json();
    expect(bertsGrafana.pagination.totalItems).toBe(1);
    const internal = (await admin.get('/api/audit-logs/all?filters[location]=internal')).json();
    // the admin's passkey registration and sign-in came from loopback
    expect(internal.data.map((e: { event: string }) => e.event).sort()).toEqual(['PASSKEY_ADDED', 'SIGN_IN']);
    const external = (await admin.get('/api/audit-logs/all?filters[location]=external')).json();
    expect(external.data.every((e: { country: string }) => e.country !== 'Internal Network')).toBe(true);
    expect(external.pagination.totalItems).toBe(4);
    // clientName and location are admin-list filters only: ignored on the own list (the admin's
    // PASSKEY_ADDED, SIGN_IN and CLIENT_AUTHORIZATION)
    expect((await admin.get('/api/audit-logs?filters[clientName]=Immich')).json().pagination.totalItems).toBe(
      3,
    );

    expect((await admin.get('/api/audit-logs/filters/client-names')).json()).toEqual(['Grafana', 'Immich']);
    expect((await admin.get('/api/audit-logs/filters/users')).json()).toEqual({
      [adminId]: 'ada',
      [member.id]: 'bert',
    });
  });

  it('sorts and paginates as Pocket ID lists do', async ({ skip }) => {
    if (!server) return skip();
    const first = (
      await admin.get('/api/audit-logs/all?pagination[limit]=2&sort[column]=event&sort[direction]=desc')
    ).json();
    expect(first.pagination).toEqual({ totalPages: 3, totalItems: 6, currentPage: 1, itemsPerPage: 2 });
    expect(first.data.map((e: { event: string }) => e.event)).toEqual(['SIGN_IN', 'PASSKEY_REMOVED']);
    const past = (await admin.get('/api/audit-logs/all?pagination[limit]=2&pagination[page]=9')).json();
    expect(past.pagination.currentPage).toBe(3);
    expect(past.data).toHaveLength(2);
    // an unsortable column is ignored: newest first
    const newest = (await admin.get('/api/audit-logs/all?sort[column]=data')).json();
    const times = newest.data.map((e: { createdAt: string }) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('purges entries older than AUDIT_LOG_RETENTION_DAYS when the retention job runs', async ({ skip }) => {
    if (!server) return skip();
    const storage = server.app.storage;
    const ids = { old: randomUUID(), recent: randomUUID() };
    for (const [id, age] of [
      [ids.old, 31],
      [ids.recent, 29],
    ] as const) {
      await storage.database.withScope(() =>
        storage.auditLogs.insert({
          id,
          event: 'SIGN_IN',
          ipAddress: null,
          userAgent: null,
          country: null,
          city: null,
          data: {},
          userId: member.id,
          createdAt: new Date(Date.now() - age * DAY),
        }),
      );
    }
    expect(await server.app.scheduler.runNow(AUDIT_LOG_RETENTION_JOB_ID)).toBe(true);
    const left = (await asMember('/api/audit-logs?pagination[limit]=100'))
      .json()
      .data.map((e: { id: string }) => e.id);
    expect(left).toContain(ids.recent);
    expect(left).not.toContain(ids.old);
  });
});
