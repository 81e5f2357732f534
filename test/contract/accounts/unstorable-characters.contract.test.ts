import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, setupAdmin } from './account-helpers.js';

/**
 * U+0000 and unpaired surrogates in any JSON body, query or path parameter of the REST API: PostgreSQL
 * cannot store them (its statement fails, which was a 500), so every problem route refuses them with
 * a 400 naming the field, on both databases alike, and nothing is written.
 */
describe.each(ACCOUNT_MATRIX)('unstorable characters on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    ({ browser: admin, id: adminId } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const send = (method: string, path: string, json?: string) =>
    admin.request({
      method,
      path,
      ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: json }),
    });

  function expectRefused(
    res: { status: number; json(): any; headers: Record<string, unknown> },
    field: string,
  ) {
    expect(res.status).toBe(400);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field, code: 'invalid_characters' }],
    });
  }

  it('refuses U+0000 in a JSON body member, naming it, and creates nothing', async ({ skip }) => {
    if (!server) return skip();
    const before = (await admin.get('/api/users')).json().pagination.totalItems;
    const body = JSON.stringify(aUserBody({ firstName: 'Nul\u0000l' }));
    expectRefused(await send('POST', '/api/users', body), 'firstName');
    expect((await admin.get('/api/users')).json().pagination.totalItems).toBe(before);
  });

  it('refuses an unpaired surrogate escaped into JSON, and a bad member name', async ({ skip }) => {
    if (!server) return skip();
    const me = (await admin.get('/api/users/me')).json();
    // JSON.stringify escapes a lone surrogate as \ud800, which JSON.parse turns back into one.
    const body = JSON.stringify({ ...aUserBody(), lastName: 'x\ud800y' });
    expectRefused(await send('PUT', '/api/users/me', body), 'lastName');
    expectRefused(await send('PUT', '/api/users/me', `{"first\\u0000Name":"a"}`), 'first\u0000Name');
    expect((await admin.get('/api/users/me')).json()).toEqual(me);
  });

  it('refuses them in nested values, with a dotted path', async ({ skip }) => {
    if (!server) return skip();
    const body = JSON.stringify([
      { key: 'ok', value: 'fine' },
      { key: 'bad', value: 'a\u0000b' },
    ]);
    expectRefused(await send('PUT', `/api/custom-claims/user/${adminId}`, body), '1.value');
    expect((await admin.get(`/api/users/${adminId}`)).json().customClaims).toEqual([]);
  });

  it('refuses them in query and path parameters', async ({ skip }) => {
    if (!server) return skip();
    expectRefused(await admin.get('/api/users?search=a%00b'), 'search');
    expectRefused(await admin.get('/api/users/a%00b'), 'id');
    expect((await admin.get('/api/users?search=root')).status).toBe(200);
  });
});
