import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { send } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';

/** Pocket ID's rate-limit policies, with rate limiting on (every other suite runs with it off). */
describe.each([
  ['fastify', 'sqlite'],
  ['express', 'postgres'],
] as const)('rate limits on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect, env: { DISABLE_RATE_LIMITING: 'false' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('limits login-code exchanges per client to a burst of 5, shared in the database, with Retry-After', async ({
    skip,
  }) => {
    if (!server) return skip();
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 7; i++) {
      const res = await new Browser(server.url).post('/api/one-time-access-token/zzzzzz');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(limited!.headers['retry-after']).toBe('10');
    expect(limited!.json()).toMatchObject({ code: 'rate_limited', error: 'Too many requests', status: 429 });
    // the bucket lives in the database, shared by every instance
    const rows = await server.app.storage.database.withScope(() =>
      server!.app.storage.rateLimits.take(
        'one-time-access-token:127.0.0.1',
        { rate: 0.1, burst: 5, shared: true },
        new Date(),
      ),
    );
    expect(rows.allowed).toBe(false);
  });

  it.for([
    ['/api/webauthn/login/finish', 10, 'validation_failed'],
    ['/api/webauthn/reauthenticate', 5, 'not_signed_in'],
  ] as const)('limits %s to a burst of %d per client', async ([path, burst, code], { skip }) => {
    if (!server) return skip();
    const codes: string[] = [];
    for (let i = 0; i <= burst; i++) codes.push((await new Browser(server.url).post(path, {})).json().code);
    expect(codes.slice(0, burst)).toEqual(Array(burst).fill(code));
    expect(codes[burst]).toBe('rate_limited');
  });

  it('applies the broad 300-request burst to every API route but never to /healthz', async ({ skip }) => {
    if (!server) return skip();
    const results = await Promise.all(
      Array.from({ length: 600 }, () => send(server!.url, { path: '/api/application-configuration' })),
    );
    const limited = results.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThan(0);
    expect(limited).toBeLessThan(600 - 250);
    const health = await Promise.all(
      Array.from({ length: 50 }, () => send(server!.url, { path: '/healthz' })),
    );
    expect(health.every((r) => r.status === 204)).toBe(true);
  });
});
