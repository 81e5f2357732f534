import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVED_CLAIM_KEYS } from '@latchkey/core';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, put, setupAdmin, signInAs } from './account-helpers.js';

/** Custom claims of users and groups (pocket-id-api.md §4.5), through HTTP. */
describe.each(ACCOUNT_MATRIX)('custom claims on %s with %s', (httpHost, dialect) => {
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

  const createUser = async () => (await admin.post('/api/users', aUserBody())).json();
  const createGroup = async (name: string) =>
    (await admin.post('/api/user-groups', { name, friendlyName: name })).json();
  const unknown = '6a1f1a0e-0000-4000-8000-000000000000';

  it('refuses anonymous callers (401) and non-admins (403)', async ({ skip }) => {
    if (!server) return skip();
    const user = await createUser();
    const group = await createGroup('guarded');
    const browser = await signInAs(server, user.id);
    expect((await new Browser(server.url).get('/api/custom-claims/suggestions')).status).toBe(401);
    for (const res of [
      await browser.get('/api/custom-claims/suggestions'),
      await put(browser, `/api/custom-claims/user/${user.id}`, [{ key: 'k', value: 'v' }]),
      await put(browser, `/api/custom-claims/user-group/${group.id}`, [{ key: 'k', value: 'v' }]),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
  });

  it('replaces the claims of a user, NFC-normalised, and shows them in the UserDto', async ({ skip }) => {
    if (!server) return skip();
    const user = await createUser();
    const path = `/api/custom-claims/user/${user.id}`;
    const first = await put(admin, path, [
      { key: 'team', value: 'Cafe\u0301' },
      { key: 'department', value: 'R&D' },
    ]);
    expect(first.status).toBe(200);
    expect(first.json()).toEqual([
      { key: 'department', value: 'R&D' },
      { key: 'team', value: 'Caf\u00e9' },
    ]);
    const second = await put(admin, path, [{ key: 'team', value: 'Ops' }]);
    expect(second.json()).toEqual([{ key: 'team', value: 'Ops' }]);
    expect((await admin.get(`/api/users/${user.id}`)).json().customClaims).toEqual([
      { key: 'team', value: 'Ops' },
    ]);
    const self = await signInAs(server, user.id);
    expect((await self.get('/api/users/me')).json().customClaims).toEqual([{ key: 'team', value: 'Ops' }]);
    expect((await put(admin, path, [])).json()).toEqual([]);
    expect((await admin.get(`/api/users/${user.id}`)).json().customClaims).toEqual([]);
  });

  it('replaces the claims of a group and shows them in group and user shapes', async ({ skip }) => {
    if (!server) return skip();
    const group = await createGroup('claimed');
    const user = await createUser();
    await put(admin, `/api/user-groups/${group.id}/users`, { userIds: [user.id] });
    const res = await put(admin, `/api/custom-claims/user-group/${group.id}`, [
      { key: 'tier', value: 'gold' },
    ]);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([{ key: 'tier', value: 'gold' }]);
    expect((await admin.get(`/api/user-groups/${group.id}`)).json().customClaims).toEqual([
      { key: 'tier', value: 'gold' },
    ]);
    const listed = (await admin.get('/api/user-groups?search=claimed')).json().data[0];
    expect(listed).toMatchObject({ customClaims: [{ key: 'tier', value: 'gold' }], userCount: 1 });
    const dto = (await admin.get(`/api/users/${user.id}`)).json();
    expect(dto.customClaims).toEqual([]);
    expect(dto.userGroups[0].customClaims).toEqual([{ key: 'tier', value: 'gold' }]);
  });

  it('refuses every reserved key with 400 reserved_claim naming it', async ({ skip }) => {
    if (!server) return skip();
    const user = await createUser();
    const group = await createGroup('reserved');
    await put(admin, `/api/custom-claims/user/${user.id}`, [{ key: 'keep', value: 'me' }]);
    expect(RESERVED_CLAIM_KEYS.size).toBe(22);
    for (const key of RESERVED_CLAIM_KEYS) {
      for (const path of [
        `/api/custom-claims/user/${user.id}`,
        `/api/custom-claims/user-group/${group.id}`,
      ]) {
        const res = await put(admin, path, [
          { key: 'fine', value: 'x' },
          { key, value: 'x' },
        ]);
        expect(res.status).toBe(400);
        expect(res.json()).toMatchObject({ code: 'reserved_claim', details: { key } });
      }
    }
    // nothing was replaced
    expect((await admin.get(`/api/users/${user.id}`)).json().customClaims).toEqual([
      { key: 'keep', value: 'me' },
    ]);
  });

  it('refuses duplicate keys, malformed bodies and unknown owners', async ({ skip }) => {
    if (!server) return skip();
    const user = await createUser();
    const path = `/api/custom-claims/user/${user.id}`;
    const dup = await put(admin, path, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'a', value: '3' },
    ]);
    expect(dup.status).toBe(400);
    expect(dup.json()).toMatchObject({ code: 'duplicate_claim', details: { key: 'a' } });
    // keys equal after NFC normalisation are duplicates too
    const nfc = await put(admin, path, [
      { key: 'caf\u00e9', value: '1' },
      { key: 'cafe\u0301', value: '2' },
    ]);
    expect(nfc.json()).toMatchObject({ code: 'duplicate_claim', details: { key: 'caf\u00e9' } });

    for (const body of [
      { key: 'a', value: 'b' },
      [{ key: 'a' }],
      [{ value: 'b' }],
      [{ key: '', value: 'b' }],
    ]) {
      const res = await put(admin, path, body);
      expect(res.status).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
    const noUser = await put(admin, `/api/custom-claims/user/${unknown}`, [{ key: 'a', value: 'b' }]);
    expect(noUser.status).toBe(404);
    expect(noUser.json().code).toBe('user_not_found');
    const noGroup = await put(admin, `/api/custom-claims/user-group/${unknown}`, [{ key: 'a', value: 'b' }]);
    expect(noGroup.status).toBe(404);
    expect(noGroup.json()).toMatchObject({ code: 'not_found', details: { resource: 'User group' } });
  });

  it('suggests the keys in use, most used first', async ({ skip }) => {
    if (!server) return skip();
    const [u1, u2] = [await createUser(), await createUser()];
    const group = await createGroup('suggest');
    await put(admin, `/api/custom-claims/user/${u1.id}`, [
      { key: 'zz-often', value: '1' },
      { key: 'aa-once', value: '1' },
    ]);
    await put(admin, `/api/custom-claims/user/${u2.id}`, [{ key: 'zz-often', value: '2' }]);
    await put(admin, `/api/custom-claims/user-group/${group.id}`, [{ key: 'zz-often', value: '3' }]);
    const res = await admin.get('/api/custom-claims/suggestions');
    expect(res.status).toBe(200);
    const keys: string[] = res.json();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.indexOf('zz-often')).toBeLessThan(keys.indexOf('aa-once'));
    expect(keys[0]).toBe('zz-often');
    // deleting the owners takes their claims along
    await admin.delete(`/api/users/${u1.id}`);
    await admin.delete(`/api/users/${u2.id}`);
    await admin.delete(`/api/user-groups/${group.id}`);
    const after: string[] = (await admin.get('/api/custom-claims/suggestions')).json();
    expect(after).not.toContain('zz-often');
    expect(after).not.toContain('aa-once');
  });
});
