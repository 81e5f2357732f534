import { randomUUID } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, put, setupAdmin, signInAs } from './account-helpers.js';

type Setting = { key: string; value: string };
type AuditEntry = { event: string; userID: string; data: Record<string, string> };

/** Self-service signup (open or with a signup token) and the admin's signup tokens (pocket-id-api.md §4.1). */
describe.each(ACCOUNT_MATRIX)('signup on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let invited = '';
  let defaults = '';

  /** Read every setting, change some, put them all back (as the admin UI does). */
  async function configure(changes: Record<string, string>) {
    const all = (await admin.get('/api/application-configuration/all')).json() as Setting[];
    const values = Object.fromEntries(all.map((s) => [s.key, s.value]));
    const res = await put(admin, '/api/application-configuration', { ...values, ...changes });
    expect(res.status).toBe(200);
  }

  async function createToken(body: Record<string, unknown>) {
    const res = await admin.post('/api/signup-tokens', body);
    expect(res.status).toBe(201);
    return res.json() as {
      id: string;
      token: string;
      usageCount: number;
      usageLimit: number;
      userGroups: { id: string; name: string }[];
      expiresAt: string;
    };
  }

  const signUp = (body: Record<string, unknown>) => new Browser(server!.url).post('/api/signup', body);

  async function listedToken(id: string) {
    const list = (await admin.get('/api/signup-tokens?pagination[limit]=100')).json();
    return list.data.find((t: { id: string }) => t.id === id);
  }

  async function accountCreated(userId: string): Promise<AuditEntry | undefined> {
    const list = (
      await admin.get(`/api/audit-logs/all?filters[event]=ACCOUNT_CREATED&filters[userID]=${userId}`)
    ).json();
    return list.data[0];
  }

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    admin = (await setupAdmin(server)).browser;
    invited = (await admin.post('/api/user-groups', { name: 'invited', friendlyName: 'Invited' })).json().id;
    defaults = (await admin.post('/api/user-groups', { name: 'defaults', friendlyName: 'Defaults' })).json()
      .id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses signup without a token unless signups are open, but takes a valid token when disabled', async ({
    skip,
  }) => {
    if (!server) return skip();
    for (const mode of ['disabled', 'withToken']) {
      await configure({ allowUserSignups: mode });
      const res = await signUp(aUserBody());
      expect(res.status).toBe(403);
      expect(res.json().code).toBe('open_signup_disabled');
    }
    await configure({ allowUserSignups: 'disabled' });
    const { token } = await createToken({ usageLimit: 1 });
    const res = await signUp({ ...aUserBody(), token });
    expect(res.status).toBe(201);
  });

  it('opens signup to anyone: defaults groups and claims, a working sign-in cookie, ACCOUNT_CREATED', async ({
    skip,
  }) => {
    if (!server) return skip();
    await configure({
      allowUserSignups: 'open',
      signupDefaultUserGroupIDs: JSON.stringify([defaults]),
      signupDefaultCustomClaims: JSON.stringify([{ key: 'plan', value: 'free' }]),
      emailsVerified: 'true',
    });
    const body = aUserBody({ firstName: 'Ada', lastName: 'Lovelace' });
    const browser = new Browser(server.url);
    const res = await browser.post('/api/signup', body);
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({
      username: body.username,
      email: body.email,
      emailVerified: true,
      displayName: 'Ada Lovelace',
      isAdmin: false,
      customClaims: [{ key: 'plan', value: 'free' }],
      userGroups: [expect.objectContaining({ id: defaults, name: 'defaults' })],
    });
    expect(String(res.headers['set-cookie'])).toMatch(/^access_token=[^;]+; Path=\/; Max-Age=\d+; HttpOnly/);
    const me = await browser.get('/api/users/me');
    expect(me.status).toBe(200);
    expect(me.json().id).toBe(res.json().id);
    expect(await accountCreated(res.json().id)).toMatchObject({
      event: 'ACCOUNT_CREATED',
      userID: res.json().id,
      data: { method: 'open_signup' },
    });
    await configure({
      allowUserSignups: 'withToken',
      signupDefaultCustomClaims: '[]',
      emailsVerified: 'false',
    });
  });

  it('creates tokens shown once, joins their groups, and counts uses', async ({ skip }) => {
    if (!server) return skip();
    await configure({ allowUserSignups: 'withToken' });
    const created = await createToken({ usageLimit: 2, userGroupIds: [invited, randomUUID()] });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
      expiresAt: expect.any(String),
      usageLimit: 2,
      usageCount: 0,
      userGroups: [expect.objectContaining({ id: invited, name: 'invited', friendlyName: 'Invited' })],
      createdAt: expect.any(String),
    });
    // default ttl: one hour
    const ttl = Date.parse(created.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);

    const res = await signUp({ ...aUserBody(), token: created.token });
    expect(res.status).toBe(201);
    // the token's groups replace the default ones
    expect(res.json().userGroups.map((g: { id: string }) => g.id)).toEqual([invited]);
    expect(res.json().emailVerified).toBe(false);
    expect(await accountCreated(res.json().id)).toMatchObject({ data: { signupToken: created.id } });

    const listed = await listedToken(created.id);
    expect(listed).toMatchObject({ token: null, usageCount: 1, usageLimit: 2 });
    expect(listed.userGroups.map((g: { id: string }) => g.id)).toEqual([invited]);
  });

  it('refuses unknown and expired tokens with 401', async ({ skip }) => {
    if (!server) return skip();
    const unknown = await signUp({ ...aUserBody(), token: 'AAAAAAAAAAAAAAAA' });
    expect(unknown.status).toBe(401);
    expect(unknown.json().code).toBe('token_invalid_or_expired');

    // an already-expired token, written straight to storage
    const secret = 'Expired000000000';
    const { storage } = server.app;
    await storage.database.withScope(() =>
      storage.signupTokens.insert({
        id: randomUUID(),
        tokenHash: hashToken(secret),
        expiresAt: new Date(Date.now() - 1000),
        usageLimit: 5,
        userGroupIds: [],
      }),
    );
    expect((await signUp({ ...aUserBody(), token: secret })).json().code).toBe('token_invalid_or_expired');

    // a token that expires in two seconds: poll until it stops working
    const short = await createToken({ usageLimit: 100, ttl: '2s' });
    expect(Date.parse(short.expiresAt) - Date.now()).toBeLessThanOrEqual(2000);
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await signUp({ ...aUserBody(), token: short.token })).status;
      if (status === 401) break;
      expect(status).toBe(201);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
  });

  it('holds the usage limit under 10 concurrent signups', async ({ skip }) => {
    if (!server) return skip();
    const { id, token } = await createToken({ usageLimit: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, () => signUp({ ...aUserBody(), token })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 401, 401, 401, 401, 401, 401, 401]);
    expect((await listedToken(id)).usageCount).toBe(3);
  });

  it('gives the use back when the username is taken', async ({ skip }) => {
    if (!server) return skip();
    const { id, token } = await createToken({ usageLimit: 1 });
    const taken = await signUp({ ...aUserBody({ username: 'root' }), token });
    expect(taken.status).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'already_in_use', details: { property: 'username' } });
    expect((await listedToken(id)).usageCount).toBe(0);
    expect((await signUp({ ...aUserBody(), token })).status).toBe(201);
    expect((await listedToken(id)).usageCount).toBe(1);
  });

  it('names the fields of invalid bodies', async ({ skip }) => {
    if (!server) return skip();
    const bad = await signUp({ username: '-bad-', email: 'nope', token: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'username']);
    const missing = await signUp({});
    expect(missing.json().errors).toEqual([expect.objectContaining({ field: 'username', code: 'required' })]);

    for (const body of [{}, { usageLimit: 0 }, { usageLimit: 101 }, { usageLimit: 'ten' }]) {
      const res = await admin.post('/api/signup-tokens', body);
      expect(res.status).toBe(400);
      expect(res.json().errors[0].field).toBe('usageLimit');
    }
    const ttl = await admin.post('/api/signup-tokens', { usageLimit: 1, ttl: '800h' });
    expect(ttl.status).toBe(400);
    expect(ttl.json().errors[0]).toMatchObject({ field: 'ttl', code: 'ttl' });
  });

  it('lists tokens paginated and sorted, deletes them, and keeps them from non-admins', async ({ skip }) => {
    if (!server) return skip();
    const big = await createToken({ usageLimit: 99 });
    const page = (
      await admin.get('/api/signup-tokens?sort[column]=usageLimit&sort[direction]=desc&pagination[limit]=2')
    ).json();
    expect(page.data).toHaveLength(2);
    expect(page.data[0].usageLimit).toBeGreaterThanOrEqual(page.data[1].usageLimit);
    expect(page.pagination).toMatchObject({ currentPage: 1, itemsPerPage: 2 });
    expect(page.data.every((t: { token: null }) => t.token === null)).toBe(true);

    expect((await admin.request({ method: 'DELETE', path: `/api/signup-tokens/${big.id}` })).status).toBe(
      204,
    );
    expect((await admin.request({ method: 'DELETE', path: `/api/signup-tokens/${big.id}` })).status).toBe(
      204,
    );
    expect(await listedToken(big.id)).toBeUndefined();
    expect((await signUp({ ...aUserBody(), token: big.token })).status).toBe(401);

    const user = await signUp({ ...aUserBody(), token: (await createToken({ usageLimit: 1 })).token });
    const member = await signInAs(server, user.json().id);
    expect((await member.get('/api/signup-tokens')).status).toBe(403);
    expect((await member.post('/api/signup-tokens', { usageLimit: 1 })).status).toBe(403);
    expect((await new Browser(server.url).get('/api/signup-tokens')).status).toBe(401);
  });
});

describe('signup rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ httpHost: 'express', env: { DISABLE_RATE_LIMITING: 'false' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets one IP make a burst of 10 signup attempts, then answers 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await new Browser(server.url).post('/api/signup', aUserBody())).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    expect(statuses[10]).toBe(429);
  });
});
