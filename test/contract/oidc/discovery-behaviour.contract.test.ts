import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { send, type RawResponse } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';
import { put, setupAdmin, signInAs } from '../accounts/account-helpers.js';
import { authorizePath, CALLBACK, pkce, STATE, unsignedJwt } from './authorize-helpers.js';

/**
 * Discovery lists exactly what is implemented (issue 12, item 8): every member of the discovery
 * document is checked against what the server does, value by value, and what is not advertised is
 * refused. A member (or a value of a list member) this file has no check for fails the run, so a new
 * one cannot be advertised without a test that it works.
 */
const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
  ['express', 'postgres'],
] as const;

const LOGOUT_URL = 'https://rp.example.com/signed-out';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface AppClient {
  id: string;
  secret: string;
}

interface Ctx {
  server: TestServer;
  url: string;
  doc: Record<string, unknown>;
  admin: Browser;
  adminId: string;
  /** Confidential, skips consent, has a logout URL and a back-channel logout URI. */
  rp: AppClient;
  /** Public, skips consent. */
  spa: AppClient;
  apiKey: string;
  receiver: LogoutReceiver;
}

type Check = (c: Ctx, value: unknown) => Promise<void>;

const basic = (c: AppClient) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

/** Runs one exerciser per value of a list member; a value without one fails (nothing untested is advertised). */
async function eachValue(value: unknown, exercisers: Record<string, () => Promise<void>>): Promise<void> {
  expect(Array.isArray(value)).toBe(true);
  const values = value as string[];
  expect(values.length).toBeGreaterThan(0);
  expect(values.filter((v) => !(v in exercisers))).toEqual([]);
  for (const v of values) await exercisers[v]!();
}

/** The path of an advertised endpoint URL, which must be on this server. */
function pathOf(c: Ctx, url: unknown): string {
  expect(typeof url).toBe('string');
  const parsed = new URL(url as string);
  expect(parsed.origin).toBe(c.url);
  return parsed.pathname;
}

/** Answers, not 404: the right method is served and another one is 405 with `Allow`. */
async function expectServed(c: Ctx, path: string, methods: string[], res: RawResponse): Promise<void> {
  expect(res.status).not.toBe(404);
  expect(res.status).toBeLessThan(500);
  const wrong = await send(c.url, { method: 'PUT', path });
  expect(wrong.status).toBe(405);
  for (const m of methods) expect(String(wrong.headers.allow)).toContain(m);
}

/** The authorization response's parameters, wherever the response mode put them. */
function answerOf(c: Ctx, res: RawResponse): URLSearchParams {
  if (res.status === 200) {
    const inputs = [...res.text.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)];
    return new URLSearchParams(inputs.map((m): [string, string] => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
  }
  expect(res.status).toBe(302);
  const url = new URL(String(res.headers.location), c.url);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** An authorization as the signed-in admin (or `browser`) for `rp`: the response's parameters. */
async function authorize(
  c: Ctx,
  params: Record<string, string> = {},
  browser: Browser = c.admin,
): Promise<URLSearchParams> {
  return answerOf(c, await browser.get(authorizePath({ client_id: c.rp.id, ...params })));
}

/** The error page's `error`, for errors found before the redirect URI is verified. */
async function errorPage(c: Ctx, path: string): Promise<string | null> {
  const res = await c.admin.get(path);
  expect(res.status).toBe(302);
  const url = new URL(String(res.headers.location), c.url);
  expect(url.pathname).toBe('/interaction/error');
  return url.searchParams.get('error');
}

function tokenPost(c: Ctx, form: Record<string, string>, client: AppClient | null = c.rp) {
  return send(c.url, {
    method: 'POST',
    path: '/api/oidc/token',
    headers: client ? { ...FORM, authorization: basic(client) } : FORM,
    body: new URLSearchParams(form).toString(),
  });
}

interface Tokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope: string;
}

/** A code for `rp` through /authorize, redeemed with Basic. */
async function tokensFor(c: Ctx, params: Record<string, string> = {}, browser?: Browser): Promise<Tokens> {
  const code = (await authorize(c, params, browser)).get('code');
  expect(code).toBeTruthy();
  const res = await tokenPost(c, { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK });
  expect(res.status).toBe(200);
  return res.json() as Tokens;
}

async function userinfo(c: Ctx, accessToken: string): Promise<Record<string, unknown>> {
  const res = await send(c.url, {
    path: '/api/oidc/userinfo',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(res.status).toBe(200);
  return res.json() as Record<string, unknown>;
}

function expectOAuthError(res: RawResponse, status: number, error: string): void {
  expect({ status: res.status, error: res.json().error }).toEqual({ status, error });
}

const CHECKS: Record<string, Check> = {
  async issuer(c, value) {
    expect(value).toBe(c.url);
    const tokens = await tokensFor(c);
    expect(decodeJwt(tokens.id_token!).iss).toBe(value);
    expect(decodeJwt(tokens.access_token).iss).toBe(value);
  },

  async jwks_uri(c, value) {
    const res = await send(c.url, { path: pathOf(c, value) });
    expect(res.status).toBe(200);
    expect(res.json().keys.length).toBeGreaterThan(0);
    const jwks = createRemoteJWKSet(new URL(value as string));
    await jwtVerify((await tokensFor(c)).id_token!, jwks, { issuer: c.url, audience: c.rp.id });
  },

  async subject_types_supported(c, value) {
    await eachValue(value, {
      // `public`: the same `sub` for every client, the user's id.
      public: async () => {
        const rp = decodeJwt((await tokensFor(c)).id_token!).sub;
        const { verifier, challenge } = pkce();
        const code = (
          await authorize(c, {
            client_id: c.spa.id,
            code_challenge: challenge,
            code_challenge_method: 'S256',
          })
        ).get('code')!;
        const res = await tokenPost(
          c,
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: CALLBACK,
            client_id: c.spa.id,
            code_verifier: verifier,
          },
          null,
        );
        expect(res.status).toBe(200);
        expect(decodeJwt(res.json().id_token).sub).toBe(rp);
        expect(rp).toBe(c.adminId);
      },
    });
  },

  async id_token_signing_alg_values_supported(c, value) {
    const tokens = await tokensFor(c);
    expect(value).toContain(decodeProtectedHeader(tokens.id_token!).alg);
    const keys = (await send(c.url, { path: '/.well-known/jwks.json' })).json().keys as { alg: string }[];
    const exercisers = Object.fromEntries(
      (value as string[]).map((alg) => [alg, async () => expect(keys.map((k) => k.alg)).toContain(alg)]),
    );
    await eachValue(value, exercisers);
  },

  async introspection_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await send(c.url, {
      method: 'POST',
      path,
      headers: { ...FORM, authorization: basic(c.rp) },
      body: 'token=unknown',
    });
    expect(res.json()).toEqual({ active: false });
    await expectServed(c, path, ['POST'], res);
  },

  async introspection_endpoint_auth_methods_supported(c, value) {
    const { access_token: token } = await tokensFor(c);
    const introspect = (headers: Record<string, string>, form: Record<string, string>) =>
      send(c.url, {
        method: 'POST',
        path: '/api/oidc/introspect',
        headers: { ...FORM, ...headers },
        body: new URLSearchParams({ token, ...form }).toString(),
      });
    await eachValue(value, {
      client_secret_basic: async () =>
        expect((await introspect({ authorization: basic(c.rp) }, {})).json().active).toBe(true),
      client_secret_post: async () =>
        expect((await introspect({}, { client_id: c.rp.id, client_secret: c.rp.secret })).json().active).toBe(
          true,
        ),
    });
    // Not advertised: `none` (a public client) and client assertions.
    expectOAuthError(await introspect({}, { client_id: c.spa.id }), 401, 'invalid_client');
    expectOAuthError(
      await introspect(
        {},
        {
          client_id: c.rp.id,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: unsignedJwt({ iss: c.rp.id, sub: c.rp.id }),
        },
      ),
      401,
      'invalid_client',
    );
  },

  async revocation_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await send(c.url, {
      method: 'POST',
      path,
      headers: { ...FORM, authorization: basic(c.rp) },
      body: 'token=unknown',
    });
    expect(res.status).toBe(200);
    await expectServed(c, path, ['POST'], res);
  },

  async revocation_endpoint_auth_methods_supported(c, value) {
    const revoke = (headers: Record<string, string>, form: Record<string, string>) =>
      send(c.url, {
        method: 'POST',
        path: '/api/oidc/revoke',
        headers: { ...FORM, ...headers },
        body: new URLSearchParams(form).toString(),
      });
    const refreshFails = async (token: string, client: AppClient | null, form: Record<string, string> = {}) =>
      expectOAuthError(
        await tokenPost(c, { grant_type: 'refresh_token', refresh_token: token, ...form }, client),
        400,
        'invalid_grant',
      );
    await eachValue(value, {
      client_secret_basic: async () => {
        const { refresh_token: token } = await tokensFor(c);
        expect((await revoke({ authorization: basic(c.rp) }, { token: token! })).status).toBe(200);
        await refreshFails(token!, c.rp);
      },
      client_secret_post: async () => {
        const { refresh_token: token } = await tokensFor(c);
        const res = await revoke({}, { token: token!, client_id: c.rp.id, client_secret: c.rp.secret });
        expect(res.status).toBe(200);
        await refreshFails(token!, c.rp);
      },
      none: async () => {
        const { verifier, challenge } = pkce();
        const code = (
          await authorize(c, {
            client_id: c.spa.id,
            code_challenge: challenge,
            code_challenge_method: 'S256',
          })
        ).get('code')!;
        const tokens = (
          await tokenPost(
            c,
            {
              grant_type: 'authorization_code',
              code,
              redirect_uri: CALLBACK,
              client_id: c.spa.id,
              code_verifier: verifier,
            },
            null,
          )
        ).json() as Tokens;
        expect((await revoke({}, { token: tokens.refresh_token!, client_id: c.spa.id })).status).toBe(200);
        await refreshFails(tokens.refresh_token!, null, { client_id: c.spa.id });
      },
    });
    // Not advertised: a client assertion.
    expectOAuthError(
      await revoke(
        {},
        {
          token: 'x',
          client_id: c.rp.id,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: unsignedJwt({ iss: c.rp.id, sub: c.rp.id }),
        },
      ),
      401,
      'invalid_client',
    );
  },

  async token_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await tokenPost(c, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    await expectServed(c, path, ['POST'], res);
  },

  async token_endpoint_auth_methods_supported(c, value) {
    const redeem = async (client: AppClient, auth: 'basic' | 'post' | 'none') => {
      const { verifier, challenge } = pkce();
      const code = (
        await authorize(c, { client_id: client.id, code_challenge: challenge, code_challenge_method: 'S256' })
      ).get('code')!;
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      };
      if (auth !== 'basic') form.client_id = client.id;
      if (auth === 'post') form.client_secret = client.secret;
      return tokenPost(c, form, auth === 'basic' ? client : null);
    };
    await eachValue(value, {
      client_secret_basic: async () => expect((await redeem(c.rp, 'basic')).status).toBe(200),
      client_secret_post: async () => expect((await redeem(c.rp, 'post')).status).toBe(200),
      none: async () => {
        expect((await redeem(c.spa, 'none')).status).toBe(200);
        // `none` is for public clients only.
        expectOAuthError(await redeem(c.rp, 'none'), 401, 'invalid_client');
      },
    });
    // Not advertised: client_secret_jwt / private_key_jwt (RFC 7523 client assertions).
    const assertion = await new SignJWT({ iss: c.rp.id, sub: c.rp.id, aud: c.url, jti: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(c.rp.secret));
    expectOAuthError(
      await tokenPost(
        c,
        {
          grant_type: 'client_credentials',
          client_id: c.rp.id,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        },
        null,
      ),
      401,
      'invalid_client',
    );
  },

  async grant_types_supported(c, value) {
    await eachValue(value, {
      authorization_code: async () => expect((await tokensFor(c)).id_token).toBeTruthy(),
      refresh_token: async () => {
        const { refresh_token: token } = await tokensFor(c);
        const res = await tokenPost(c, { grant_type: 'refresh_token', refresh_token: token! });
        expect(res.status).toBe(200);
        expect(res.json().refresh_token).not.toBe(token);
      },
      client_credentials: async () => {
        const res = await tokenPost(c, { grant_type: 'client_credentials' });
        expect(res.status).toBe(200);
        expect(decodeJwt(res.json().access_token).sub).toBe(c.rp.id);
      },
      'urn:ietf:params:oauth:grant-type:device_code': async () => {
        const started = await send(c.url, {
          method: 'POST',
          path: '/api/oidc/device/authorize',
          headers: { ...FORM, authorization: basic(c.rp) },
          body: 'scope=openid',
        });
        expect(started.status).toBe(200);
        const poll = await tokenPost(c, {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: started.json().device_code,
        });
        expectOAuthError(poll, 400, 'authorization_pending');
      },
    });
    // Not advertised: unsupported_grant_type.
    for (const grant of [
      'password',
      'implicit',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
    ]) {
      expectOAuthError(await tokenPost(c, { grant_type: grant }), 400, 'unsupported_grant_type');
    }
  },

  async userinfo_endpoint(c, value) {
    const path = pathOf(c, value);
    const { access_token: token } = await tokensFor(c);
    const get = await send(c.url, { path, headers: { authorization: `Bearer ${token}` } });
    expect(get.json().sub).toBe(c.adminId);
    const post = await send(c.url, {
      method: 'POST',
      path,
      headers: FORM,
      body: new URLSearchParams({ access_token: token }).toString(),
    });
    expect(post.json()).toEqual(get.json());
    await expectServed(c, path, ['GET', 'POST'], get);
  },

  async scopes_supported(c, value) {
    const granted = async (scope: string, browser?: Browser) => {
      const tokens = await tokensFor(c, { scope }, browser);
      expect(tokens.scope.split(' ')).toEqual(scope.split(' '));
      return tokens;
    };
    await eachValue(value, {
      openid: async () => expect((await granted('openid')).id_token).toBeTruthy(),
      profile: async () =>
        expect(await userinfo(c, (await granted('openid profile')).access_token)).toMatchObject({
          preferred_username: 'root',
          given_name: 'Ada',
        }),
      email: async () =>
        expect(await userinfo(c, (await granted('openid email')).access_token)).toMatchObject({
          email: 'root@example.com',
        }),
      groups: async () =>
        expect(await userinfo(c, (await granted('openid groups')).access_token)).toMatchObject({
          groups: ['staff'],
        }),
      // OIDC Core §11: a grant with offline_access outlives the person's sign-in; one without does not.
      offline_access: async () => {
        const browser = await signInAs(c.server, c.adminId);
        const offline = await granted('openid offline_access', browser);
        const online = await granted('openid', browser);
        expect((await browser.post('/api/webauthn/logout')).status).toBeLessThan(300);
        const refresh = (t: Tokens) =>
          tokenPost(c, { grant_type: 'refresh_token', refresh_token: t.refresh_token! });
        expect((await refresh(offline)).status).toBe(200);
        expectOAuthError(await refresh(online), 400, 'invalid_grant');
      },
    });
  },

  async claims_supported(c, value) {
    const tokens = await tokensFor(c, { scope: 'openid profile email groups' });
    const released = { ...decodeJwt(tokens.id_token!), ...(await userinfo(c, tokens.access_token)) };
    await eachValue(
      value,
      Object.fromEntries(
        (value as string[]).map((claim) => [claim, async () => expect(released).toHaveProperty(claim)]),
      ),
    );
    // Not advertised, not released: the ID token's and OAuth's own members apart, nothing else.
    const own = new Set(['iss', 'aud', 'exp', 'iat', 'jti', 'nonce', 'at_hash', 'sid', 'type']);
    expect(Object.keys(released).filter((k) => !own.has(k) && !(value as string[]).includes(k))).toEqual([]);
  },

  async end_session_endpoint(c, value) {
    const path = pathOf(c, value);
    const get = await send(c.url, { path });
    expect(get.status).toBe(302);
    expect(new URL(String(get.headers.location)).pathname).toBe('/logout');
    const post = await send(c.url, { method: 'POST', path, headers: FORM, body: '' });
    expect(post.status).toBe(302);
    await expectServed(c, path, ['GET', 'POST'], get);
  },

  async backchannel_logout_supported(c, value) {
    expect(value).toBe(true);
    await c.receiver.logoutOf(c);
  },

  async backchannel_logout_session_supported(c, value) {
    expect(value).toBe(true);
    const { sid, logoutToken } = await c.receiver.logoutOf(c);
    expect(typeof sid).toBe('string');
    expect(decodeJwt(logoutToken).sid).toBe(sid);
  },

  async authorization_endpoint(c, value) {
    const path = pathOf(c, value);
    const get = await c.admin.get(authorizePath({ client_id: c.rp.id }));
    expect(answerOf(c, get).get('code')).toBeTruthy();
    const post = await c.admin.request({
      method: 'POST',
      path,
      headers: FORM,
      body: new URLSearchParams({
        client_id: c.rp.id,
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid',
        state: STATE,
      }).toString(),
    });
    expect(answerOf(c, post).get('code')).toBeTruthy();
    await expectServed(c, path, ['GET', 'POST'], get);
  },

  async response_types_supported(c, value) {
    await eachValue(value, {
      code: async () => expect((await authorize(c, { response_type: 'code' })).get('code')).toBeTruthy(),
    });
    for (const type of ['token', 'id_token', 'code id_token', 'code token', 'none']) {
      const answer = await authorize(c, { response_type: type });
      expect(Object.fromEntries(answer)).toMatchObject({ error: 'unsupported_response_type', state: STATE });
    }
  },

  async response_modes_supported(c, value) {
    const exerciser = (mode: string, where: (res: RawResponse) => void) => async () => {
      const res = await c.admin.get(authorizePath({ client_id: c.rp.id, response_mode: mode }));
      where(res);
      expect(answerOf(c, res).get('code')).toBeTruthy();
    };
    await eachValue(value, {
      query: exerciser('query', (res) =>
        expect(new URL(String(res.headers.location)).search).toContain('code='),
      ),
      fragment: exerciser('fragment', (res) =>
        expect(new URL(String(res.headers.location)).hash).toContain('code='),
      ),
      form_post: exerciser('form_post', (res) => expect(res.headers['content-type']).toContain('text/html')),
    });
    for (const mode of ['jwt', 'query.jwt', 'web_message']) {
      expect((await authorize(c, { response_mode: mode })).get('error')).toBe('invalid_request');
    }
  },

  async code_challenge_methods_supported(c, value) {
    const flow = (method: string, challengeOf: (verifier: string) => string) => async () => {
      const { verifier } = pkce();
      const code = (
        await authorize(c, { code_challenge: challengeOf(verifier), code_challenge_method: method })
      ).get('code')!;
      const form = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK };
      // A wrong verifier does not spend the code; the right one redeems it.
      expectOAuthError(await tokenPost(c, { ...form, code_verifier: pkce().verifier }), 400, 'invalid_grant');
      expect((await tokenPost(c, { ...form, code_verifier: verifier })).status).toBe(200);
    };
    await eachValue(value, {
      S256: flow('S256', (v) => createHash('sha256').update(v).digest('base64url')),
      plain: flow('plain', (v) => v),
    });
    for (const method of ['S512', 'RS256', 's256']) {
      const answer = await authorize(c, { code_challenge: pkce().challenge, code_challenge_method: method });
      expect(answer.get('error')).toBe('invalid_request');
    }
  },

  async authorization_response_iss_parameter_supported(c, value) {
    expect(value).toBe(true);
    expect((await authorize(c)).get('iss')).toBe(c.url);
    expect((await authorize(c, { response_type: 'token' })).get('iss')).toBe(c.url);
  },

  async prompt_values_supported(c, value) {
    const stepsOf = async (prompt: string) => {
      const res = await c.admin.get(authorizePath({ client_id: c.rp.id, prompt }));
      const url = new URL(String(res.headers.location), c.url);
      expect(url.pathname).toBe('/interaction');
      const id = url.searchParams.get('interaction')!;
      return (await c.admin.get(`/api/oidc/interactions/${id}`)).json().requiredSteps as string[];
    };
    await eachValue(value, {
      none: async () => {
        expect((await authorize(c, { prompt: 'none' })).get('code')).toBeTruthy();
        const anonymous = new Browser(c.url);
        expect((await authorize(c, { prompt: 'none' }, anonymous)).get('error')).toBe('login_required');
      },
      login: async () => expect(await stepsOf('login')).toContain('reauthenticate'),
      consent: async () => expect(await stepsOf('consent')).toContain('consent'),
      select_account: async () => expect(await stepsOf('select_account')).toContain('select_account'),
    });
    for (const prompt of ['create', 'registration']) {
      expect((await authorize(c, { prompt })).get('error')).toBe('invalid_request');
    }
  },

  async request_parameter_supported(c, value) {
    expect(value).toBe(true);
    const nonce = 'nonce-from-the-request-object';
    const request = unsignedJwt({
      client_id: c.rp.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: STATE,
      nonce,
    });
    const answer = answerOf(
      c,
      await c.admin.get(`/authorize?${new URLSearchParams({ client_id: c.rp.id, request })}`),
    );
    const res = await tokenPost(c, {
      grant_type: 'authorization_code',
      code: answer.get('code')!,
      redirect_uri: CALLBACK,
    });
    expect(decodeJwt(res.json().id_token).nonce).toBe(nonce);
  },

  async request_object_signing_alg_values_supported(c, value) {
    const claims = {
      client_id: c.rp.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: STATE,
    };
    const path = (request: string) => `/authorize?${new URLSearchParams({ client_id: c.rp.id, request })}`;
    await eachValue(value, {
      none: async () =>
        expect(answerOf(c, await c.admin.get(path(unsignedJwt(claims)))).get('code')).toBeTruthy(),
    });
    // Not advertised: a signed request object (no client has keys registered).
    const signed = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(c.rp.secret));
    expect(await errorPage(c, path(signed))).toBe('invalid_request_object');
  },

  async request_uri_parameter_supported(c, value) {
    expect(value).toBe(false);
    const path = `/authorize?${new URLSearchParams({
      client_id: c.rp.id,
      request_uri: 'https://rp.example.com/request.jwt',
    })}`;
    expect(await errorPage(c, path)).toBe('request_uri_not_supported');
  },

  async claims_parameter_supported(c, value) {
    expect(value).toBe(true);
    const tokens = await tokensFor(c, {
      scope: 'openid',
      claims: JSON.stringify({ id_token: { email: null }, userinfo: { groups: null } }),
    });
    const idToken = decodeJwt(tokens.id_token!);
    expect(idToken.email).toBe('root@example.com');
    expect(idToken.groups).toBeUndefined();
    expect(await userinfo(c, tokens.access_token)).toEqual({ sub: c.adminId, groups: ['staff'] });
  },

  async pushed_authorization_request_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await send(c.url, {
      method: 'POST',
      path,
      headers: { ...FORM, authorization: basic(c.rp) },
      body: new URLSearchParams({
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid',
        state: STATE,
      }).toString(),
    });
    expect(res.status).toBe(201);
    const answer = answerOf(
      c,
      await c.admin.get(
        `/authorize?${new URLSearchParams({ client_id: c.rp.id, request_uri: res.json().request_uri })}`,
      ),
    );
    expect(answer.get('code')).toBeTruthy();
    await expectServed(c, path, ['POST'], res);
  },

  async require_pushed_authorization_requests(c, value) {
    // Not for every client (a plain request works), but a client may be made to.
    expect(value).toBe(false);
    expect((await authorize(c)).get('code')).toBeTruthy();
    const strict = await createClient(c, { skipConsent: true, requiresPushedAuthorizationRequests: true });
    expect((await authorize(c, { client_id: strict.id })).get('error')).toBe('invalid_request');
  },

  async device_authorization_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await send(c.url, {
      method: 'POST',
      path,
      headers: { ...FORM, authorization: basic(c.rp) },
      body: 'scope=openid',
    });
    expect(res.status).toBe(200);
    expect(res.json().verification_uri).toBe(`${c.url}/device`);
    await expectServed(c, path, ['POST'], res);
  },

  async registration_endpoint(c, value) {
    const path = pathOf(c, value);
    const res = await send(c.url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${c.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://registered.example.com/cb'] }),
    });
    expect(res.status).toBe(201);
    await expectServed(c, path, ['POST'], res);
  },
};

async function createClient(c: Ctx, body: Record<string, unknown>): Promise<AppClient> {
  const res = await c.admin.post('/api/oidc/clients', {
    name: 'Discovery RP',
    callbackURLs: [CALLBACK],
    ...body,
  });
  expect(res.status).toBe(201);
  const id = res.json().id as string;
  if (body.isPublic) return { id, secret: '' };
  const secret = await c.admin.post(`/api/oidc/clients/${id}/secrets`, {});
  expect(secret.status).toBe(201);
  return { id, secret: secret.json().secret as string };
}

interface LogoutReceiver {
  uri: string;
  /** Signs a fresh session of the admin in to `rp`, ends it, and returns the ID token's `sid` and the logout token. */
  logoutOf(c: Ctx): Promise<{ sid: unknown; logoutToken: string }>;
  stop(): Promise<void>;
}

/** A relying party's back-channel logout endpoint (Back-Channel Logout 1.0 §2.5). */
async function logoutReceiver(): Promise<LogoutReceiver> {
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`,
    async logoutOf(c) {
      const browser = await signInAs(c.server, c.adminId);
      const { id_token: idToken } = await tokensFor(c, {}, browser);
      const sid = decodeJwt(idToken!).sid;
      const res = await browser.get(
        `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: idToken! })}`,
      );
      expect(res.headers.location).toBe(LOGOUT_URL);
      // Delivered from a queue: wait for this session's token (the suite's timeout bounds the wait).
      const mine = () => received.find((t) => t && decodeJwt(t).sid === sid);
      while (!mine()) await new Promise<void>((resolve) => waiters.push(resolve));
      const logoutToken = mine()!;
      const jwks = createRemoteJWKSet(new URL(`${c.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(logoutToken, jwks, { issuer: c.url, audience: c.rp.id });
      expect(payload).toMatchObject({
        sub: c.adminId,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      });
      return { sid, logoutToken };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(MATRIX)('discovery vs behaviour on %s with %s', (httpHost, dialect) => {
  let c: Ctx | undefined;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    const server = await startServer({ httpHost, dialect });
    const { browser: admin, id: adminId } = await setupAdmin(server);
    const { storage } = server.app;
    await storage.database.withScope(() =>
      storage.users.update(adminId, { firstName: 'Ada', lastName: 'Lovelace' }),
    );
    const group = await admin.post('/api/user-groups', { name: 'staff', friendlyName: 'Staff' });
    expect(group.status).toBe(201);
    expect(
      (await put(admin, `/api/user-groups/${group.json().id}/users`, { userIds: [adminId] })).status,
    ).toBe(200);
    const key = await admin.post('/api/api-keys', {
      name: 'discovery checks',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(key.status).toBe(201);
    const receiver = await logoutReceiver();
    const partial = { server, url: server.url, admin, adminId, receiver } as Ctx;
    partial.rp = await createClient(partial, {
      skipConsent: true,
      logoutCallbackURLs: [LOGOUT_URL],
      backchannelLogoutURI: receiver.uri,
    });
    partial.spa = await createClient(partial, { skipConsent: true, isPublic: true });
    partial.apiKey = key.json().token as string;
    partial.doc = (await send(server.url, { path: '/.well-known/openid-configuration' })).json();
    c = partial;
  });
  afterAll(async () => {
    await c?.receiver.stop();
    await c?.server.stop();
  });

  it('has a behaviour check for every advertised member, and advertises every member it checks', ({
    skip,
  }) => {
    if (!c) return skip();
    expect(Object.keys(c.doc).filter((member) => !(member in CHECKS))).toEqual([]);
    expect(Object.keys(CHECKS).filter((member) => !(member in c!.doc))).toEqual([]);
  });

  it('serves the same document as RFC 8414 authorization server metadata', async ({ skip }) => {
    if (!c) return skip();
    const rfc8414 = await send(c.url, { path: '/.well-known/oauth-authorization-server' });
    expect(rfc8414.json()).toEqual(c.doc);
  });

  for (const member of Object.keys(CHECKS)) {
    it(`${member}: the advertised value is what the server does`, async ({ skip }) => {
      if (!c) return skip();
      await CHECKS[member]!(c, c.doc[member]);
    });
  }
});
