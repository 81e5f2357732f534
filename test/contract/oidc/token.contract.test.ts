import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { aUserBody, put, setupAdmin } from '../accounts/account-helpers.js';

/** The token and userinfo endpoints (RFC 6749 §3.2, OIDC Core §3.1.3, §5.3), driven by oauth4webapi. */
const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

const insecure = { [oauth.allowInsecureRequests]: true };
const CALLBACK = 'https://rp.example.com/cb';

describe.each(MATRIX)('token endpoint on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;
  let sessionId: string;
  let as: oauth.AuthorizationServer;
  let rp: { id: string; secret: string };
  let other: { id: string; secret: string };
  let spa: { id: string };

  const createClient = async (body: Record<string, unknown>, withSecret: boolean) => {
    const res = await admin.post('/api/oidc/clients', {
      name: `App ${randomUUID().slice(0, 8)}`,
      callbackURLs: [CALLBACK],
      ...body,
    });
    expect(res.status).toBe(201);
    const id = res.json().id as string;
    if (!withSecret) return { id, secret: '' };
    const secret = await admin.post(`/api/oidc/clients/${id}/secrets`, {});
    expect(secret.status).toBe(201);
    return { id, secret: secret.json().secret as string };
  };

  /** Writes a code straight to storage: /authorize is another suite's subject. */
  const aCode = async (overrides: Record<string, unknown> = {}) => {
    const code = randomBytes(32).toString('base64url');
    const { storage } = server!.app;
    const now = new Date();
    await storage.database.withScope(() =>
      storage.authorizationCodes.insert({
        codeHash: hashToken(code),
        clientId: rp.id,
        userId: adminId,
        sessionId,
        redirectUri: CALLBACK,
        scope: 'openid profile email groups',
        nonce: 'nonce-with-entropy',
        codeChallenge: null,
        codeChallengeMethod: null,
        authTime: new Date(now.getTime() - 5_000),
        amr: ['phr'],
        claims: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 15 * 60_000),
        ...overrides,
      }),
    );
    return code;
  };

  const callback = (code: string, client: oauth.Client) =>
    oauth.validateAuthResponse(
      as,
      client,
      new URLSearchParams({ code, iss: as.issuer }),
      oauth.expectNoState,
    );

  const redeem = async (
    code: string,
    options: {
      client?: { id: string; secret: string };
      redirectUri?: string;
      verifier?: string;
      auth?: 'basic' | 'post' | 'none';
    } = {},
  ) => {
    const c = options.client ?? rp;
    const client: oauth.Client = { client_id: c.id };
    const auth =
      options.auth === 'none'
        ? oauth.None()
        : options.auth === 'post'
          ? oauth.ClientSecretPost(c.secret)
          : oauth.ClientSecretBasic(c.secret);
    return oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      callback(code, client),
      options.redirectUri ?? CALLBACK,
      options.verifier ?? oauth.nopkce,
      insecure,
    );
  };

  const tokenPost = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/api/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  const expectError = async (res: Response, status: number, error: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: string }).error).toBe(error);
  };

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    ({ browser: admin, id: adminId } = await setupAdmin(server));
    as = await oauth.processDiscoveryResponse(
      new URL(server.url),
      await oauth.discoveryRequest(new URL(server.url), insecure),
    );
    sessionId = randomUUID();
    const { storage } = server.app;
    await storage.database.withScope(() =>
      storage.sessions.insert({
        id: sessionId,
        userId: adminId,
        tokenHash: hashToken(randomUUID()),
        amr: ['phr'],
        authTime: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
        ip: null,
        userAgent: null,
      }),
    );
    rp = await createClient({}, true);
    other = await createClient({}, true);
    spa = await createClient({ isPublic: true }, false);
    const group = await admin.post('/api/user-groups', { name: 'staff', friendlyName: 'Staff' });
    expect(group.status).toBe(201);
    expect(
      (await put(admin, `/api/user-groups/${group.json().id}/users`, { userIds: [adminId] })).status,
    ).toBe(200);
    expect(
      (
        await put(admin, `/api/custom-claims/user/${adminId}`, [
          { key: 'tenant', value: 'acme' },
          { key: 'level', value: '{"n":3}' },
        ])
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('advertises the token and userinfo endpoints in discovery', ({ skip }) => {
    if (!server) return skip();
    expect(as.token_endpoint).toBe(`${server.url}/api/oidc/token`);
    expect(as.userinfo_endpoint).toBe(`${server.url}/api/oidc/userinfo`);
    expect(as.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
    expect(as.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]);
    expect(as.scopes_supported).toEqual(['openid', 'profile', 'email', 'groups', 'offline_access']);
    expect(as.claims_supported).toContain('preferred_username');
  });

  it('issues signed ID and access tokens for a code, and userinfo answers the scope claims', async ({
    skip,
  }) => {
    if (!server) return skip();
    const code = await aCode();
    const res = await redeem(code);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: rp.id }, res, {
      expectedNonce: 'nonce-with-entropy',
      requireIdToken: true,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('openid profile email groups');
    // As Pocket ID: every code grant gets a refresh token, offline_access or not.
    expect(typeof tokens.refresh_token).toBe('string');

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const id = await jwtVerify(tokens.id_token!, jwks, { issuer: server.url, audience: rp.id });
    const alg = decodeProtectedHeader(tokens.id_token!).alg!;
    const bits = alg === 'EdDSA' ? 'sha512' : `sha${alg.slice(-3)}`;
    const digest = createHash(bits).update(tokens.access_token).digest();
    expect(id.payload).toMatchObject({
      sub: adminId,
      nonce: 'nonce-with-entropy',
      amr: ['phr'],
      type: 'id-token',
      at_hash: digest.subarray(0, digest.length / 2).toString('base64url'),
      preferred_username: 'root',
      email: 'root@example.com',
      groups: ['staff'],
      tenant: 'acme',
      level: { n: 3 },
      picture: `${server.url}/api/users/${adminId}/profile-picture.png`,
    });
    expect(id.payload.sid).toBe(sessionId);
    expect(id.payload.exp! - id.payload.iat!).toBe(3600);

    const at = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, typ: 'at+jwt' });
    expect(at.payload).toMatchObject({
      sub: adminId,
      aud: [rp.id, server.url],
      client_id: rp.id,
      scope: 'openid profile email groups',
      scp: ['openid', 'profile', 'email', 'groups'],
    });
    expect(typeof at.payload.jti).toBe('string');

    const info = await oauth.processUserInfoResponse(
      as,
      { client_id: rp.id },
      adminId,
      await oauth.userInfoRequest(as, { client_id: rp.id }, tokens.access_token, insecure),
    );
    expect(info).toMatchObject({
      sub: adminId,
      preferred_username: 'root',
      groups: ['staff'],
      level: { n: 3 },
    });

    const posted = await fetch(`${server.url}/api/oidc/userinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual(info);
  });

  it('authenticates with client_secret_post, and a public client with none and PKCE', async ({ skip }) => {
    if (!server) return skip();
    const post = await redeem(await aCode({ scope: 'profile' }), { auth: 'post' });
    const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: rp.id }, post);
    expect(tokens.id_token).toBeUndefined();

    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const code = await aCode({
      clientId: spa.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      nonce: null,
    });
    const res = await redeem(code, { client: { id: spa.id, secret: '' }, auth: 'none', verifier });
    expect(res.status).toBe(200);
    // A confidential client cannot authenticate with `none`.
    await expectError(
      await tokenPost(
        new URLSearchParams({
          grant_type: 'authorization_code',
          code: await aCode(),
          redirect_uri: CALLBACK,
          client_id: rp.id,
        }).toString(),
      ),
      401,
      'invalid_client',
    );
  });

  it('refuses bad client credentials, foreign and reused codes, and a wrong redirect_uri', async ({
    skip,
  }) => {
    if (!server) return skip();
    const wrongSecret = await redeem(await aCode(), { client: { id: rp.id, secret: 'nope-nope-nope-nope' } });
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    await expectError(wrongSecret, 401, 'invalid_client');
    await expectError(await redeem(await aCode(), { client: other }), 400, 'invalid_grant');
    const code = await aCode();
    expect((await redeem(code)).status).toBe(200);
    await expectError(await redeem(code), 400, 'invalid_grant');
    await expectError(
      await redeem(await aCode(), { redirectUri: 'https://rp.example.com/other' }),
      400,
      'invalid_grant',
    );
    await expectError(await redeem('never-issued'), 400, 'invalid_grant');
    await expectError(
      await redeem(await aCode({ expiresAt: new Date(Date.now() - 1000) })),
      400,
      'invalid_grant',
    );
  });

  it('takes a code without redirect_uri only from a client with one fixed callback', async ({ skip }) => {
    if (!server) return skip();
    const form = (client: { id: string; secret: string }, code: string, extra: Record<string, string> = {}) =>
      fetch(`${server!.url}/api/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, ...extra }).toString(),
      });
    // /authorize fills in the only callback when redirect_uri is omitted; the token request may omit it too.
    const single = await form(rp, await aCode());
    expect(single.status).toBe(200);
    expect(await single.json()).toMatchObject({ token_type: 'Bearer' });

    const multi = await createClient({ callbackURLs: [CALLBACK, 'https://rp.example.com/second'] }, true);
    await expectError(await form(multi, await aCode({ clientId: multi.id })), 400, 'invalid_grant');
    const named = await form(multi, await aCode({ clientId: multi.id }), { redirect_uri: CALLBACK });
    expect(named.status).toBe(200);
  });

  it('enforces PKCE: a missing or wrong verifier, or a verifier without a challenge', async ({ skip }) => {
    if (!server) return skip();
    const verifier = oauth.generateRandomCodeVerifier();
    const pkce = {
      codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
      codeChallengeMethod: 'S256',
    };
    await expectError(await redeem(await aCode(pkce)), 400, 'invalid_grant');
    await expectError(
      await redeem(await aCode(pkce), { verifier: oauth.generateRandomCodeVerifier() }),
      400,
      'invalid_grant',
    );
    await expectError(await redeem(await aCode(), { verifier }), 400, 'invalid_grant');
    expect((await redeem(await aCode(pkce), { verifier })).status).toBe(200);
    const plain = { codeChallenge: verifier, codeChallengeMethod: 'plain' };
    expect((await redeem(await aCode(plain), { verifier })).status).toBe(200);
  });

  it('refuses repeated parameters, two auth methods, other grants and malformed bodies', async ({ skip }) => {
    if (!server) return skip();
    const auth = { authorization: basic(rp.id, rp.secret) };
    const code = await aCode();
    await expectError(
      await tokenPost(
        `grant_type=authorization_code&code=${code}&code=${code}&redirect_uri=${encodeURIComponent(CALLBACK)}`,
        auth,
      ),
      400,
      'invalid_request',
    );
    await expectError(
      await tokenPost(
        `grant_type=authorization_code&code=${code}&client_id=${rp.id}&client_secret=${rp.secret}`,
        auth,
      ),
      400,
      'invalid_request',
    );
    await expectError(
      await tokenPost('grant_type=password&username=a&password=b', auth),
      400,
      'unsupported_grant_type',
    );
    await expectError(await tokenPost('code=x', auth), 400, 'invalid_request');
    await expectError(
      await tokenPost('{"grant_type":"authorization_code"}', { ...auth, 'content-type': 'application/json' }),
      400,
      'invalid_request',
    );
    await expectError(await tokenPost('grant_type=authorization_code&code=x'), 401, 'invalid_client');
  });

  it('userinfo refuses a missing or bad token and one without openid', async ({ skip }) => {
    if (!server) return skip();
    const userinfo = (authorization?: string) =>
      fetch(`${server!.url}/api/oidc/userinfo`, { headers: authorization ? { authorization } : {} });
    const missing = await userinfo();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
    const bad = await userinfo('Bearer not.a.token');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const tokens = (await (await redeem(await aCode({ scope: 'profile' }))).json()) as {
      access_token: string;
    };
    const noOpenid = await userinfo(`Bearer ${tokens.access_token}`);
    expect(noOpenid.status).toBe(403);
    expect(noOpenid.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(((await noOpenid.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  it("refuses codes of a disabled user, and users outside a restricted client's groups", async ({ skip }) => {
    if (!server) return skip();
    const { storage } = server.app;
    const user = await admin.post('/api/users', aUserBody());
    expect(user.status).toBe(201);
    const userId = user.json().id as string;
    const code = await aCode({ userId, sessionId: null, scope: 'openid' });
    const tokens = (await (
      await redeem(await aCode({ userId, sessionId: null, scope: 'openid' }))
    ).json()) as {
      access_token: string;
    };
    await storage.database.withScope(() => storage.users.update(userId, { disabled: true }));
    await expectError(await redeem(code), 400, 'invalid_grant');
    const info = await fetch(`${server.url}/api/oidc/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const restricted = await createClient({ isGroupRestricted: true }, true);
    const denied = await redeem(await aCode({ clientId: restricted.id }), { client: restricted });
    await expectError(denied, 400, 'invalid_grant');
    const staff = (await admin.get('/api/user-groups?search=staff')).json().data[0].id as string;
    const allow = await put(admin, `/api/oidc/clients/${restricted.id}/allowed-user-groups`, {
      userGroupIds: [staff],
    });
    expect(allow.status).toBe(200);
    expect((await redeem(await aCode({ clientId: restricted.id }), { client: restricted })).status).toBe(200);
  });

  it('lets exactly one of 50 parallel redemptions of a code succeed', async ({ skip }) => {
    if (!server) return skip();
    const code = await aCode();
    const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await redeem(code)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(49);
  });
});
