import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';

/** Twenty concurrent first-admin setups create exactly one admin. */
describe.each(['sqlite', 'postgres'] as const)('first-admin setup race on %s', (dialect) => {
  let server: TestServer | undefined;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ dialect });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets exactly one of twenty concurrent setups win', async ({ skip }) => {
    if (!server) return skip();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new Browser(server!.url).post('/api/signup/setup', {
          username: `admin${i}`,
          email: `admin${i}@example.com`,
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await server.app.storage.users.count()).toBe(1);
  });

  it('validates the setup body, naming each field', async ({ skip }) => {
    if (!server) return skip();
    const res = await new Browser(server.url).post('/api/signup/setup', {
      username: '-bad-',
      email: 'nope',
      firstName: 'x'.repeat(51),
    });
    expect(res.status).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'firstName', 'username']);
  });
});
