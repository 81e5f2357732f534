import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { runCli } from '../../support/cli.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';

/** Login codes: created by an admin, by a user for themself, and from the CLI; single use; exchanged for a session. */
const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

describe.each(matrix)('login codes on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    admin = new Browser(server.url);
    const setup = await admin.post('/api/signup/setup', {
      username: 'root',
      email: 'root@example.com',
      firstName: 'Root',
    });
    expect(setup.status).toBe(200);
    adminId = setup.json().id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets a user make a code on one device and spend it once on another', async ({ skip }) => {
    if (!server) return skip();
    const made = await admin.post('/api/users/me/one-time-access-token', { ttl: 300 });
    expect(made.status).toBe(201);
    const code = made.json().token;
    expect(code).toMatch(/^[a-hj-km-np-zA-HJ-NP-Z0-9]{6}$/);

    const other = new Browser(server.url);
    const spent = await other.post(`/api/one-time-access-token/${code}`);
    expect(spent.status).toBe(200);
    expect(spent.json().username).toBe('root');
    expect(String(spent.headers['set-cookie'])).toMatch(
      /^access_token=[^;]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/,
    );
    expect((await other.get('/api/users/me')).json().id).toBe(adminId);

    const again = await new Browser(server.url).post(`/api/one-time-access-token/${code}`);
    expect(again.status).toBe(401);
    expect(again.json().code).toBe('token_invalid_or_expired');
  });

  it('makes long-lived codes 12 characters and accepts Go durations', async ({ skip }) => {
    if (!server) return skip();
    const long = await admin.post(`/api/users/${adminId}/one-time-access-token`, { ttl: '1h30m' });
    expect(long.status).toBe(201);
    expect(long.json().token).toHaveLength(12);
    const dflt = await admin.post(`/api/users/${adminId}/one-time-access-token`, {});
    expect(dflt.json().token).toHaveLength(6);
  });

  it('refuses bad ttls, unknown users, wrong codes and anonymous creation', async ({ skip }) => {
    if (!server) return skip();
    for (const ttl of [1, -5, 'soon', '800h']) {
      const res = await admin.post('/api/users/me/one-time-access-token', { ttl });
      expect(res.status).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ field: 'ttl', code: 'ttl' });
    }
    const unknown = await admin.post(
      '/api/users/00000000-0000-4000-8000-000000000000/one-time-access-token',
      {},
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('user_not_found');
    for (const code of ['abc', 'zzzzzz', 'x'.repeat(40)]) {
      expect((await new Browser(server.url).post(`/api/one-time-access-token/${code}`)).json().code).toBe(
        'token_invalid_or_expired',
      );
    }
    expect((await new Browser(server.url).post('/api/users/me/one-time-access-token', {})).status).toBe(401);
  });

  it('maps I to 1 and O to 0 when a code is typed back', async ({ skip }) => {
    if (!server) return skip();
    // Retry until a code contains a 1 or a 0 (the alphabet has no I, i, O or o): 81 % of 6-character
    // codes have neither, so 200 tries all miss with a chance of about 1e-19 (50 tries: 2e-5).
    for (let i = 0; i < 200; i++) {
      const created = await admin.post('/api/users/me/one-time-access-token', {});
      expect(created.status, created.text).toBe(201);
      const code: string = created.json().token;
      expect(code).toMatch(/^[A-Za-z0-9]{6}$/);
      if (!/[10]/.test(code)) continue;
      const typed = code.replace(/1/g, 'I').replace(/0/g, 'o');
      expect((await new Browser(server.url).post(`/api/one-time-access-token/${typed}`)).status).toBe(200);
      return;
    }
    throw new Error('no code with a 1 or 0 in 200 tries');
  });

  it('prints a one-hour recovery link from the CLI', async ({ skip }) => {
    if (!server) return skip();
    const res = await runCli(['one-time-access-token', 'root@example.com'], {
      env: { ...server.env, LOG_LEVEL: 'error' },
      cwd: server.dir,
    });
    expect(res.code).toBe(0);
    const link = res.stdout.trim();
    expect(link).toMatch(new RegExp(`^${server.url}/lc/[A-Za-z0-9]{12}$`));
    const code = link.split('/lc/')[1]!;
    expect((await new Browser(server.url).post(`/api/one-time-access-token/${code}`)).status).toBe(200);
    const missing = await runCli(['one-time-access-token', 'nobody'], {
      env: { ...server.env, LOG_LEVEL: 'error' },
      cwd: server.dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('username|email');
  });
});
