import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { postgresAvailable } from '../../support/databases.js';
import { runCli } from '../../support/cli.js';
import { send } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';

/** The whole server, as `latchkey serve` runs it, on each HTTP host × each database. */
const matrix = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
  ['express', 'postgres'],
] as const;

async function until<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(matrix)('server on %s with %s', (httpHost, dialect) => {
  let server: TestServer;
  let skip = false;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) {
      skip = true;
      return;
    }
    server = await startServer({ httpHost, dialect, env: { KEY_REFRESH_INTERVAL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers /healthz with 204 while the database answers (GET and HEAD)', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    for (const method of ['GET', 'HEAD']) {
      const res = await send(server.url, { method, path: '/healthz' });
      expect(res.status).toBe(204);
      expect(res.body.length).toBe(0);
    }
  });

  it('serves one discovery document on both well-known paths', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    const oidc = await send(server.url, { path: '/.well-known/openid-configuration' });
    const rfc8414 = await send(server.url, { path: '/.well-known/oauth-authorization-server' });
    expect(oidc.status).toBe(200);
    expect(oidc.headers['access-control-allow-origin']).toBe('*');
    expect(rfc8414.text).toBe(oidc.text);
    // Each loaded endpoint adds its own members (the OIDC suites check those); these are the core's.
    expect(oidc.json()).toMatchObject({
      issuer: server.url,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('publishes the RS256 key generated at first start, without private members', async ({
    skip: skipTest,
  }) => {
    if (skip) return skipTest();
    const res = await send(server.url, { path: '/.well-known/jwks.json' });
    expect(res.status).toBe(200);
    const { keys } = res.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0].kid).toEqual(expect.any(String));
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(member);
    expect(Buffer.from(keys[0].n, 'base64url').length).toBe(256);
  });

  it('picks up a key rotated by the CLI while running, and still verifies tokens signed before', async ({
    skip: skipTest,
  }) => {
    if (skip) return skipTest();
    const before = await server.app.keys.sign(
      { sub: 'someone', iss: server.url, aud: 'client' },
      { expiresIn: 300 },
    );
    const oldKid = decodeProtectedHeader(before).kid;

    const rotated = await runCli(['key-rotate', '--alg', 'ES256'], { env: server.env, cwd: server.dir });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/New ES256 signing key \S+ is current/);

    const jwks = await until(async () => {
      const body = (await send(server.url, { path: '/.well-known/jwks.json' })).json();
      return body.keys.length === 2 ? body : undefined;
    }, 'the running server to publish the rotated key');
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[1].kid).toBe(oldKid);

    const { payload } = await jwtVerify(before, createLocalJWKSet(jwks), {
      issuer: server.url,
      audience: 'client',
    });
    expect(payload.sub).toBe('someone');

    const after = await server.app.keys.sign({ sub: 'x' }, { expiresIn: 60 });
    expect(decodeProtectedHeader(after)).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
    const discovery = (await send(server.url, { path: '/.well-known/openid-configuration' })).json();
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('answers /healthz with 503 once the database is gone', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    await server.app.storage.database.close();
    const res = await send(server.url, { path: '/healthz' });
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ code: 'service_unavailable' });
  });
});
