import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_API_USER_ID } from '@latchkey/core';
import { Browser } from '../../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';

const KEY = 'static-key-for-automation-0123456789';

/** STATIC_API_KEY: a synthetic admin for automation, invisible to first-admin setup. */
describe.each(['fastify', 'express'] as const)('STATIC_API_KEY on %s', (httpHost) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    server = await startServer({ httpHost, database, env: { STATIC_API_KEY: KEY } });
  });
  afterAll(async () => {
    await server.stop();
    await database.drop();
  });

  it('authenticates as a synthetic admin that does not close first-admin setup', async () => {
    const automation = new Browser(server.url);
    const users = await automation.get('/api/users', { 'x-api-key': KEY });
    expect(users.status).toBe(200);
    const me = (await automation.get('/api/users/me', { 'x-api-key': KEY })).json();
    expect(me).toMatchObject({ id: STATIC_API_USER_ID, isAdmin: true });
    expect(me.username).toMatch(/^static-api-user-[a-z0-9]{6}$/);
    expect((await new Browser(server.url).get('/api/signup/setup')).status).toBe(204);
    const setup = await new Browser(server.url).post('/api/signup/setup', {
      username: 'root',
      email: 'root@example.com',
    });
    expect(setup.status).toBe(200);
  });

  it('refuses a wrong key and any key on browser-only routes', async () => {
    expect((await new Browser(server.url).get('/api/users', { 'x-api-key': `${KEY}x` })).status).toBe(401);
    const browserOnly = await new Browser(server.url).post(
      '/api/api-keys',
      { name: 'nope', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      { 'x-api-key': KEY },
    );
    expect(browserOnly.status).toBe(403);
    expect(browserOnly.json().code).toBe('api_key_auth_not_allowed');
  });

  it('removes the synthetic user at the next start without the variable', async () => {
    await server.stop();
    server = await startServer({ httpHost, database });
    const found = await server.app.storage.database.withScope(() =>
      server.app.storage.users.findById(STATIC_API_USER_ID),
    );
    expect(found).toBeNull();
    expect((await new Browser(server.url).get('/api/users', { 'x-api-key': KEY })).status).toBe(401);
  });
});
