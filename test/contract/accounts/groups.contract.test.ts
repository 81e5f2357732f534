import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, put, setupAdmin, signInAs } from './account-helpers.js';

/** User groups and membership both ways (pocket-id-api.md §4.4, §4.3), through HTTP. */
describe.each(ACCOUNT_MATRIX)('user groups on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    ({ browser: admin } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const createGroup = (name: string, friendlyName = `Group ${name}`) =>
    admin.post('/api/user-groups', { name, friendlyName });
  const createUser = async (overrides: Record<string, unknown> = {}) =>
    (await admin.post('/api/users', aUserBody(overrides))).json();

  it('refuses anonymous callers (401) and non-admins (403)', async ({ skip }) => {
    if (!server) return skip();
    const group = (await createGroup('guarded')).json();
    const user = await signInAs(server, (await createUser()).id);
    const anonymous = new Browser(server.url);
    expect((await anonymous.get('/api/user-groups')).json().code).toBe('not_signed_in');
    for (const res of [
      await user.get('/api/user-groups'),
      await user.post('/api/user-groups', { name: 'sneaky', friendlyName: 'Sneaky' }),
      await user.get(`/api/user-groups/${group.id}`),
      await put(user, `/api/user-groups/${group.id}`, { name: 'x1', friendlyName: 'x1' }),
      await user.delete(`/api/user-groups/${group.id}`),
      await put(user, `/api/user-groups/${group.id}/users`, { userIds: [] }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
  });

  it('creates, reads, renames and deletes a group', async ({ skip }) => {
    if (!server) return skip();
    const res = await createGroup('Cre\u0301ateurs', 'Cre\u0301ateurs du site');
    expect(res.status).toBe(201);
    const group = res.json();
    expect(group).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      friendlyName: 'Cr\u00e9ateurs du site',
      name: 'Cr\u00e9ateurs',
      customClaims: [],
      ldapId: null,
      createdAt: expect.any(String),
      users: [],
      allowedOidcClients: [],
    });
    expect(Number.isNaN(Date.parse(group.createdAt))).toBe(false);
    expect((await admin.get(`/api/user-groups/${group.id}`)).json()).toEqual(group);

    const renamed = await put(admin, `/api/user-groups/${group.id}`, {
      name: 'makers',
      friendlyName: 'Makers',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json()).toMatchObject({ id: group.id, name: 'makers', friendlyName: 'Makers' });

    expect((await admin.delete(`/api/user-groups/${group.id}`)).status).toBe(204);
    const gone = await admin.get(`/api/user-groups/${group.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'not_found', details: { resource: 'User group' } });
  });

  it('validates the body and answers 409 already_in_use on a taken name', async ({ skip }) => {
    if (!server) return skip();
    for (const [body, field, code] of [
      [{ name: 'ok-name', friendlyName: 'x' }, 'friendlyName', 'too_short'],
      [{ name: 'ok-name', friendlyName: 'x'.repeat(51) }, 'friendlyName', 'too_long'],
      [{ name: 'x', friendlyName: 'Fine' }, 'name', 'too_short'],
      [{ name: 'x'.repeat(256), friendlyName: 'Fine' }, 'name', 'too_long'],
      [{ friendlyName: 'Fine' }, 'name', 'required'],
    ] as const) {
      const res = await admin.post('/api/user-groups', body);
      expect(res.status).toBe(400);
      expect(res.json().details.fields).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect((await createGroup('taken')).status).toBe(201);
    const clash = await createGroup('taken');
    expect(clash.status).toBe(409);
    expect(clash.json()).toMatchObject({ code: 'already_in_use', details: { property: 'name' } });
    const other = (await createGroup('other')).json();
    const renameClash = await put(admin, `/api/user-groups/${other.id}`, {
      name: 'taken',
      friendlyName: 'T' + 'x',
    });
    expect(renameClash.json()).toMatchObject({ code: 'already_in_use', details: { property: 'name' } });
  });

  it('answers 404 not_found "User group" for unknown ids', async ({ skip }) => {
    if (!server) return skip();
    const unknown = '6a1f1a0e-0000-4000-8000-000000000000';
    for (const res of [
      await admin.get(`/api/user-groups/${unknown}`),
      await put(admin, `/api/user-groups/${unknown}`, { name: 'nobody', friendlyName: 'Nobody' }),
      await admin.delete(`/api/user-groups/${unknown}`),
      await put(admin, `/api/user-groups/${unknown}/users`, { userIds: [] }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found', details: { resource: 'User group' } });
    }
  });

  it('keeps membership both ways; unknown ids are ignored', async ({ skip }) => {
    if (!server) return skip();
    const alpha = (await createGroup('alpha')).json();
    const beta = (await createGroup('beta')).json();
    const ann = await createUser({ firstName: 'Ann' });
    const ben = await createUser({ firstName: 'Ben' });

    const members = await put(admin, `/api/user-groups/${alpha.id}/users`, {
      userIds: [ann.id, ben.id, ann.id, '6a1f1a0e-0000-4000-8000-000000000000'],
    });
    expect(members.status).toBe(200);
    expect(
      members
        .json()
        .users.map((u: { id: string }) => u.id)
        .sort(),
    ).toEqual([ann.id, ben.id].sort());
    expect(members.json().users[0].userGroups[0]).toMatchObject({
      id: alpha.id,
      name: 'alpha',
      userCount: 0,
    });

    const setGroups = await put(admin, `/api/users/${ann.id}/user-groups`, {
      userGroupIds: [beta.id, alpha.id, 'nope'],
    });
    expect(setGroups.status).toBe(200);
    expect(setGroups.json().userGroups.map((g: { name: string }) => g.name)).toEqual(['alpha', 'beta']);
    const groups = (await admin.get(`/api/users/${ann.id}/groups`)).json();
    expect(groups.map((g: { name: string }) => g.name)).toEqual(['alpha', 'beta']);
    expect(groups[0]).toMatchObject({ allowedOidcClients: [], users: expect.any(Array) });
    expect(
      (await admin.get(`/api/users/${ben.id}`)).json().userGroups.map((g: { id: string }) => g.id),
    ).toEqual([alpha.id]);

    // create with userGroupIds, and the user sees their own groups
    const cat = await createUser({ userGroupIds: [beta.id] });
    expect(cat.userGroups.map((g: { id: string }) => g.id)).toEqual([beta.id]);
    const catBrowser = await signInAs(server, cat.id);
    expect((await catBrowser.get('/api/users/me')).json().userGroups[0].name).toBe('beta');

    // emptying, and deleting a group or a user removes the membership
    expect(
      (await put(admin, `/api/users/${ben.id}/user-groups`, { userGroupIds: [] })).json().userGroups,
    ).toEqual([]);
    expect((await admin.delete(`/api/user-groups/${beta.id}`)).status).toBe(204);
    expect(
      (await admin.get(`/api/users/${ann.id}`)).json().userGroups.map((g: { id: string }) => g.id),
    ).toEqual([alpha.id]);
    expect((await admin.delete(`/api/users/${ann.id}`)).status).toBe(204);
    expect((await admin.get(`/api/user-groups/${alpha.id}`)).json().users).toEqual([]);

    const missing = await put(admin, `/api/user-groups/${alpha.id}/users`, {});
    expect(missing.json().details.fields).toContainEqual(
      expect.objectContaining({ field: 'userIds', code: 'required' }),
    );
  });

  it('lists groups with userCount, search and sort (userCount included)', async ({ skip }) => {
    if (!server) return skip();
    const tag = `t${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (const [i, n] of [2, 0, 1].entries()) {
      const group = (await createGroup(`${tag}-${'cab'[i]}`, `${'CaB'[i]} friendly`)).json();
      ids.push(group.id);
      const users = [];
      for (let k = 0; k < n; k++) users.push((await createUser()).id);
      await put(admin, `/api/user-groups/${group.id}/users`, { userIds: users });
    }
    const list = await admin.get(
      `/api/user-groups?search=${tag.toUpperCase()}&sort[column]=userCount&sort[direction]=desc`,
    );
    expect(list.status).toBe(200);
    expect(list.json().pagination).toEqual({
      totalPages: 1,
      totalItems: 3,
      currentPage: 1,
      itemsPerPage: 20,
    });
    expect(list.json().data.map((g: { name: string; userCount: number }) => [g.name, g.userCount])).toEqual([
      [`${tag}-c`, 2],
      [`${tag}-b`, 1],
      [`${tag}-a`, 0],
    ]);
    expect(list.json().data[0]).toEqual({
      id: ids[0],
      friendlyName: 'C friendly',
      name: `${tag}-c`,
      customClaims: [],
      userCount: 2,
      ldapId: null,
      createdAt: expect.any(String),
    });
    const byName = await admin.get(
      `/api/user-groups?search=${tag}&sort[column]=friendlyName&pagination[limit]=2`,
    );
    expect(byName.json().data.map((g: { friendlyName: string }) => g.friendlyName)).toEqual([
      'a friendly',
      'B friendly',
    ]);
    expect(byName.json().pagination.totalPages).toBe(2);
    expect((await admin.get('/api/user-groups?search=%25')).json().data).toEqual([]);
  });
});
