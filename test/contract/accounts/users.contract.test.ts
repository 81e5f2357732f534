import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvents } from '@latchkey/core';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, put, setupAdmin, signInAs } from './account-helpers.js';

/** Admin user management and the user's own profile (pocket-id-api.md §4.3), through HTTP. */
describe.each(ACCOUNT_MATRIX)('users on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;
  const created: CoreEvents['user.created'][] = [];

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    server.app.events.on('user.created', (e) => void created.push(e));
    ({ browser: admin, id: adminId } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const create = (body: Record<string, unknown>) => admin.post('/api/users', body);

  it('refuses anonymous callers (401) and non-admins (403) on the admin routes', async ({ skip }) => {
    if (!server) return skip();
    const anonymous = new Browser(server.url);
    const res = await anonymous.get('/api/users');
    expect(res.status).toBe(401);
    expect(res.json().code).toBe('not_signed_in');
    expect((await anonymous.get('/api/users/me')).status).toBe(401);

    const plain = (await create(aUserBody())).json();
    const user = await signInAs(server, plain.id);
    for (const res of [
      await user.get('/api/users'),
      await user.post('/api/users', aUserBody()),
      await user.get(`/api/users/${adminId}`),
      await put(user, `/api/users/${plain.id}`, { ...aUserBody(), isAdmin: true }),
      await user.delete(`/api/users/${adminId}`),
      await user.get(`/api/users/${plain.id}/groups`),
      await put(user, `/api/users/${plain.id}/user-groups`, { userGroupIds: [] }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect((await user.get('/api/users/me')).json()).toMatchObject({ id: plain.id, isAdmin: false });
  });

  it('creates a user (201), NFC-normalised, and announces it on the bus', async ({ skip }) => {
    if (!server) return skip();
    const body = aUserBody({ firstName: 'Ame\u0301lie', lastName: 'Poulain', locale: 'fr-FR' });
    const res = await create(body);
    expect(res.status).toBe(201);
    const user = res.json();
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: body.username,
      email: body.email,
      emailVerified: false,
      firstName: 'Am\u00e9lie',
      lastName: 'Poulain',
      displayName: 'Am\u00e9lie Poulain',
      isAdmin: false,
      locale: 'fr-FR',
      customClaims: [],
      userGroups: [],
      ldapId: null,
      disabled: false,
    });
    expect((await admin.get(`/api/users/${user.id}`)).json()).toEqual(user);
    expect(created).toContainEqual({
      userId: user.id,
      via: 'admin',
      actorUserId: adminId,
      client: { ip: '127.0.0.1', userAgent: null },
    });

    const withId = aUserBody({ id: '0f2c7a5e-8f5b-4b47-9a53-3c1f8f8e2a11', displayName: 'Chosen' });
    const chosen = await create(withId);
    expect(chosen.status).toBe(201);
    expect(chosen.json()).toMatchObject({ id: withId.id, displayName: 'Chosen' });
  });

  it('validates the body as Pocket ID does', async ({ skip }) => {
    if (!server) return skip();
    const cases: [Record<string, unknown>, string, string][] = [
      [aUserBody({ username: '-leading' }), 'username', 'invalid_format'],
      [aUserBody({ username: 'trailing.' }), 'username', 'invalid_format'],
      [aUserBody({ username: 'x'.repeat(51) }), 'username', 'too_long'],
      [aUserBody({ username: '' }), 'username', 'too_short'],
      [aUserBody({ firstName: 'x'.repeat(51) }), 'firstName', 'too_long'],
      [aUserBody({ lastName: 'x'.repeat(51) }), 'lastName', 'too_long'],
      [aUserBody({ displayName: 'x'.repeat(101) }), 'displayName', 'too_long'],
      [aUserBody({ email: 'not-an-email' }), 'email', 'invalid_format'],
      [aUserBody({ email: null }), 'email', 'required'],
      [aUserBody({ email: undefined }), 'email', 'required'],
      [{ email: 'x@example.com' }, 'username', 'required'],
    ];
    for (const [body, field, code] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed' });
      expect(res.json().details.fields).toContainEqual(expect.objectContaining({ field, code }));
    }
    const notJson = await admin.request({ method: 'POST', path: '/api/users', body: '{' });
    expect(notJson.json().code).toBe('invalid_request_body');
  });

  it('answers 409 already_in_use naming the property; usernames clash regardless of case', async ({
    skip,
  }) => {
    if (!server) return skip();
    const first = aUserBody({ username: 'Grace' });
    expect((await create(first)).status).toBe(201);
    const sameName = await create(aUserBody({ username: 'gRACE' }));
    expect(sameName.status).toBe(409);
    expect(sameName.json()).toMatchObject({ code: 'already_in_use', details: { property: 'username' } });
    const sameEmail = await create(aUserBody({ email: first.email }));
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.json()).toMatchObject({ code: 'already_in_use', details: { property: 'email' } });

    const other = (await create(aUserBody())).json();
    const clash = await put(admin, `/api/users/${other.id}`, aUserBody({ username: 'GRACE' }));
    expect(clash.status).toBe(409);
    expect(clash.json().details).toEqual({ property: 'username' });
  });

  it('answers 404 user_not_found for unknown ids', async ({ skip }) => {
    if (!server) return skip();
    const unknown = '6a1f1a0e-0000-4000-8000-000000000000';
    for (const res of [
      await admin.get(`/api/users/${unknown}`),
      await admin.get('/api/users/not-a-uuid'),
      await put(admin, `/api/users/${unknown}`, aUserBody()),
      await admin.delete(`/api/users/${unknown}`),
      await admin.get(`/api/users/${unknown}/groups`),
      await put(admin, `/api/users/${unknown}/user-groups`, { userGroupIds: [] }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json().code).toBe('user_not_found');
    }
  });

  it('lists users in the paginated envelope, with search, filters and sort', async ({ skip }) => {
    if (!server) return skip();
    const tag = `zeta${Date.now().toString(36)}`;
    for (const [i, name] of ['Carol', 'alice', 'Bob'].entries()) {
      const res = await create(
        aUserBody({ username: `${tag}${name}`, firstName: name, isAdmin: i === 2, emailVerified: i === 0 }),
      );
      expect(res.status).toBe(201);
    }
    const page = await admin.get(
      `/api/users?search=${tag.toUpperCase()}&sort[column]=firstName&sort[direction]=DESC`,
    );
    expect(page.status).toBe(200);
    expect(page.json().pagination).toEqual({
      totalPages: 1,
      totalItems: 3,
      currentPage: 1,
      itemsPerPage: 20,
    });
    expect(page.json().data.map((u: { firstName: string }) => u.firstName)).toEqual([
      'Carol',
      'Bob',
      'alice',
    ]);

    const admins = await admin.get(`/api/users?search=${tag}&filters[isAdmin]=true`);
    expect(admins.json().data.map((u: { firstName: string }) => u.firstName)).toEqual(['Bob']);
    const verified = await admin.get(`/api/users?search=${tag}&filters[emailVerified][]=true`);
    expect(verified.json().data.map((u: { firstName: string }) => u.firstName)).toEqual(['Carol']);

    const paged = await admin.get(
      `/api/users?search=${tag}&pagination[limit]=2&pagination[page]=9&sort[column]=username`,
    );
    expect(paged.json().pagination).toEqual({
      totalPages: 2,
      totalItems: 3,
      currentPage: 2,
      itemsPerPage: 2,
    });
    expect(paged.json().data).toHaveLength(1);
    expect(paged.json().data[0].firstName).toBe('Carol');

    // LIKE wildcards in the search are literal
    expect((await admin.get('/api/users?search=%25')).json().pagination.totalItems).toBe(0);
    expect((await admin.get('/api/users?search=_')).json().pagination.totalItems).toBe(0);
    const all = (await admin.get('/api/users?pagination[limit]=100')).json();
    expect(all.data.length).toBe(all.pagination.totalItems);
    expect(all.data.some((u: { id: string }) => u.id === adminId)).toBe(true);
  });

  it('replaces a user with PUT; a changed email is no longer verified', async ({ skip }) => {
    if (!server) return skip();
    const user = (await create(aUserBody({ emailVerified: true, locale: 'de' }))).json();
    const same = await put(admin, `/api/users/${user.id}`, {
      username: user.username,
      email: user.email,
      firstName: 'Renamed',
    });
    expect(same.status).toBe(200);
    expect(same.json()).toMatchObject({
      firstName: 'Renamed',
      lastName: null,
      emailVerified: true,
      locale: null,
    });
    const moved = await put(admin, `/api/users/${user.id}`, {
      username: user.username,
      email: 'moved@example.com',
      isAdmin: true,
    });
    expect(moved.json()).toMatchObject({ email: 'moved@example.com', emailVerified: false, isAdmin: true });
    expect((await admin.get(`/api/users/${user.id}`)).json().isAdmin).toBe(true);
  });

  it('revokes all sessions of a user who is disabled or deleted', async ({ skip }) => {
    if (!server) return skip();
    const user = (await create(aUserBody())).json();
    const session = await signInAs(server, user.id);
    const other = await signInAs(server, user.id);
    expect((await session.get('/api/users/me')).status).toBe(200);
    const disabled = await put(admin, `/api/users/${user.id}`, { ...user, disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.json().disabled).toBe(true);
    expect((await session.get('/api/users/me')).json().code).toBe('not_signed_in');
    // enabling again does not bring the old sessions back
    await put(admin, `/api/users/${user.id}`, { ...user, disabled: false });
    expect((await other.get('/api/users/me')).status).toBe(401);

    const fresh = await signInAs(server, user.id);
    expect((await fresh.get('/api/users/me')).status).toBe(200);
    expect((await admin.delete(`/api/users/${user.id}`)).status).toBe(204);
    expect((await fresh.get('/api/users/me')).status).toBe(401);
    expect((await admin.get(`/api/users/${user.id}`)).json().code).toBe('user_not_found');
    expect((await admin.delete(`/api/users/${user.id}`)).status).toBe(404);
  });

  it('lets a user edit their own profile but not their flags', async ({ skip }) => {
    if (!server) return skip();
    const user = (await create(aUserBody({ emailVerified: true }))).json();
    const browser = await signInAs(server, user.id);
    const res = await put(browser, '/api/users/me', {
      username: user.username,
      email: user.email,
      firstName: 'Cafe\u0301',
      lastName: 'Owner',
      locale: 'fr',
      isAdmin: true,
      disabled: true,
      emailVerified: false,
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      firstName: 'Caf\u00e9',
      displayName: 'Caf\u00e9 Owner',
      locale: 'fr',
      isAdmin: false,
      disabled: false,
      emailVerified: true,
    });
    const changed = await put(browser, '/api/users/me', {
      username: user.username,
      email: 'new-me@example.com',
    });
    expect(changed.json()).toMatchObject({ email: 'new-me@example.com', emailVerified: false });
    const taken = await put(browser, '/api/users/me', { username: 'ROOT', email: 'x@example.com' });
    expect(taken.status).toBe(409);
    expect(taken.json().details).toEqual({ property: 'username' });
    const invalid = await put(browser, '/api/users/me', { username: 'bad name' });
    expect(invalid.json().code).toBe('validation_failed');
  });

  it('never demotes, disables or deletes the last admin (409 last_admin)', async ({ skip }) => {
    if (!server) return skip();
    // The admins created by earlier cases step down first, so `root` is the only one.
    const admins = (await admin.get('/api/users?filters[isAdmin]=true&pagination[limit]=100')).json().data;
    for (const other of admins.filter((u: { id: string }) => u.id !== adminId)) {
      expect((await put(admin, `/api/users/${other.id}`, { ...other, isAdmin: false })).status).toBe(200);
    }
    const me = (await admin.get('/api/users/me')).json();
    for (const [res, verb] of [
      [await put(admin, `/api/users/${adminId}`, { ...me, isAdmin: false }), 'demoted'],
      [await put(admin, `/api/users/${adminId}`, { ...me, isAdmin: true, disabled: true }), 'disabled'],
      [await admin.delete(`/api/users/${adminId}`), 'deleted'],
    ] as const) {
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({ code: 'last_admin', detail: expect.stringContaining(verb) });
    }
    expect((await admin.get('/api/users/me')).json()).toMatchObject({ isAdmin: true, disabled: false });

    // With a second admin, the first may delete themself, and their own session ends.
    const second = (await create(aUserBody({ isAdmin: true }))).json();
    const secondBrowser = await signInAs(server, second.id);
    const disabledAdmin = (await create(aUserBody({ isAdmin: true, disabled: true }))).json();
    expect((await admin.delete(`/api/users/${adminId}`)).status).toBe(204);
    expect((await admin.get('/api/users/me')).status).toBe(401);
    // a disabled admin does not count: the second admin is now the last one
    expect((await secondBrowser.delete(`/api/users/${second.id}`)).json().code).toBe('last_admin');
    expect((await secondBrowser.delete(`/api/users/${disabledAdmin.id}`)).status).toBe(204);
    admin = secondBrowser;
    adminId = second.id;
  });
});
