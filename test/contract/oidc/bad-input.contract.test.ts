import { randomBytes, randomUUID } from 'node:crypto';
import { hashApiKey, hashClientSecret, hashToken } from '@latchkey/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { send, type RawRequest, type RawResponse } from '../../support/http-client.js';
import { authorizePath, pkce, STATE, unsignedJwt } from './authorize-helpers.js';
import { basic, CALLBACK, useTokenFixture, type AppClient, type TokenFixture } from './token-fixture.js';

/**
 * Issue 12, "Bad input": every OIDC endpoint against every kind of bad input the issue names, as one
 * table. Each row says what the endpoint must answer: the RFC's error and status (RFC 6749 §4.1.2.1
 * and §5.2, RFC 6750 §3.1, RFC 7009 §2.2, RFC 7591 §3.2.2, RFC 7662 §2.2, RFC 8628 §3.5), and never a
 * 5xx. A kind that cannot apply to an endpoint says why in `NOT_APPLICABLE`; a cell that is neither
 * tested nor explained fails the run. The concurrency rules and HEAD's safety close the file.
 *
 * Where another suite covers a row in depth (token.contract, refresh.contract, par.contract, …) the row
 * here is the quick answer check; the other suite has the consequences.
 */
const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
  ['express', 'postgres'],
] as const;

const ENDPOINTS = [
  'authorize',
  'par',
  'token authorization_code',
  'token refresh_token',
  'token client_credentials',
  'token device_code',
  'userinfo',
  'introspect',
  'revoke',
  'end-session',
  'device authorize',
  'register',
] as const;
type Endpoint = (typeof ENDPOINTS)[number];

/** The issue's list, in its words. */
const REQUIRED_INPUTS = [
  'missing parameter',
  'duplicated parameter',
  'wrong secret',
  'expired secret',
  "other client's secret",
  'unknown redirect_uri',
  'mismatched redirect_uri',
  'wrong PKCE verifier',
  'expired code',
  'reused code',
  "other client's refresh token",
  'malformed JWT',
  'oversized body',
] as const;
/**
 * More rows of the same spirit. The last was found while building the table: U+0000 and unpaired
 * surrogates reached PostgreSQL and answered 500 there.
 */
type ExtraInput = "other client's code" | 'a client or token not allowed here' | 'NUL or unpaired surrogate';
type BadInput = (typeof REQUIRED_INPUTS)[number] | ExtraInput;

const NO_CLIENT_AUTH = 'no client authenticates here';
const NO_REDIRECT = 'takes no redirect_uri';
const NO_PKCE = 'has no PKCE';
const NO_CODE = 'takes no code';
const NO_REFRESH = 'takes no refresh token';

const NOT_APPLICABLE: Partial<Record<Endpoint, Partial<Record<BadInput, string>>>> = {
  authorize: {
    'wrong secret': `${NO_CLIENT_AUTH}: RFC 6749 §4.1.1 identifies the client, it does not authenticate it`,
    'expired secret': NO_CLIENT_AUTH,
    "other client's secret": NO_CLIENT_AUTH,
    "other client's refresh token": NO_REFRESH,
  },
  par: {
    'expired code': `${NO_CODE} (a request_uri cannot be pushed: the duplicated-parameter rows)`,
    'reused code': NO_CODE,
    "other client's refresh token": NO_REFRESH,
  },
  'token authorization_code': { "other client's refresh token": NO_REFRESH },
  'token refresh_token': {
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
  },
  'token client_credentials': {
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
    'expired code': NO_CODE,
    'reused code': NO_CODE,
    "other client's refresh token": NO_REFRESH,
  },
  'token device_code': {
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': `${NO_PKCE} (RFC 8628)`,
    "other client's refresh token": NO_REFRESH,
  },
  userinfo: {
    'wrong secret': `${NO_CLIENT_AUTH}: a bearer token is the credential`,
    'expired secret': NO_CLIENT_AUTH,
    "other client's secret": NO_CLIENT_AUTH,
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
  },
  introspect: {
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
  },
  revoke: {
    'unknown redirect_uri': NO_REDIRECT,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
    'reused code': `${NO_CODE}; revoking twice is the expired-code row (200, RFC 7009 §2.2)`,
  },
  'end-session': {
    'wrong secret': `${NO_CLIENT_AUTH} (RP-Initiated Logout: the id_token_hint identifies the client)`,
    'expired secret': NO_CLIENT_AUTH,
    "other client's secret": NO_CLIENT_AUTH,
    'wrong PKCE verifier': NO_PKCE,
    'expired code':
      'an expired id_token_hint is valid (RP-Initiated Logout 1.0 §2); end-session.contract tests it',
    'reused code': NO_CODE,
    "other client's refresh token": NO_REFRESH,
  },
  'device authorize': {
    'unknown redirect_uri': `${NO_REDIRECT} (RFC 8628 §3.1)`,
    'mismatched redirect_uri': NO_REDIRECT,
    'wrong PKCE verifier': NO_PKCE,
    'expired code': NO_CODE,
    'reused code': NO_CODE,
    "other client's refresh token": NO_REFRESH,
  },
  register: {
    'mismatched redirect_uri': 'registers redirect URIs: there is none to match against yet',
    'wrong PKCE verifier': NO_PKCE,
    'expired code': NO_CODE,
    'reused code': NO_CODE,
    "other client's refresh token": NO_REFRESH,
  },
};

/** What an answer must be. Every kind also means: not a 5xx. */
type Expected =
  /** RFC 6749 §5.2 JSON, `no-store`; `challenge` is matched against `WWW-Authenticate`. */
  | { oauth: readonly [number, string]; challenge?: RegExp }
  /** An RFC 9457 problem (the browser-facing, non-OAuth routes). */
  | { problem: readonly [number, string] }
  /** RFC 6749 §4.1.2.1: shown on the error page, never sent to an unverified redirect URI. */
  | { errorPage: string }
  /** Redirected to the client with `state` (unless `noState`) and `iss` (RFC 9207). */
  | { redirected: string; noState?: true }
  /** Anything else: the status, then the row's own assertions. */
  | { status: number; then?: (res: RawResponse, f: Fixture) => Promise<void> | void };

interface Row {
  endpoint: Endpoint;
  input: BadInput;
  /** What exactly is sent, for the test's name. */
  what: string;
  send(f: Fixture): Promise<RawResponse>;
  expect: Expected;
}

interface Fixture extends TokenFixture {
  /** A confidential client that skips consent, with a logout URL. */
  web: AppClient;
  /** A client whose only callback is somewhere else. */
  elsewhere: AppClient;
  /** `rp`'s id with a secret that expired yesterday (still stored). */
  expiredSecret: AppClient;
  /** An administrator's API key (the initial access token), and one that expired. */
  apiKey: string;
  expiredApiKey: string;
  /** Tokens of `other` (refresh token included). */
  othersTokens: { access_token: string; refresh_token?: string };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ELSEWHERE = 'https://elsewhere.example.com/cb';
const LOGOUT_URL = 'https://rp.example.com/signed-out';
const OVERSIZED = `state=${'x'.repeat(70 * 1024)}`;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A form POST, with Basic credentials for `client` unless null; `body` is sent as given when a string. */
function post(
  f: Fixture,
  path: string,
  body: Record<string, string> | string,
  client: AppClient | null = f.rp,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return send(f.server.url, {
    method: 'POST',
    path,
    headers: { ...FORM, ...(client ? { authorization: basic(client.id, client.secret) } : {}), ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });
}

const token = (f: Fixture, body: Record<string, string> | string, client: AppClient | null = f.rp) =>
  post(f, '/api/oidc/token', body, client);
const getAs = (browser: Browser, path: string) => browser.get(path);
const anonymous = (f: Fixture, req: RawRequest) => send(f.server.url, req);

const codeForm = async (f: Fixture, overrides: Record<string, unknown> = {}) => ({
  grant_type: 'authorization_code',
  code: await f.aCode(overrides),
  redirect_uri: CALLBACK,
});

/** The rows that every client-authenticated endpoint shares, for a valid request `form`. */
function clientAuthRows(
  endpoint: Endpoint,
  path: string,
  form: (f: Fixture) => Promise<Record<string, string>>,
): Row[] {
  const invalidClient = { oauth: [401, 'invalid_client'] as const };
  const basicChallenge = { ...invalidClient, challenge: /^Basic realm="latchkey"$/ };
  return [
    {
      endpoint,
      input: 'missing parameter',
      what: 'no client authentication at all',
      send: async (f) => post(f, path, await form(f), null),
      expect: invalidClient,
    },
    {
      endpoint,
      input: 'wrong secret',
      what: 'a wrong secret (Basic)',
      send: async (f) => post(f, path, await form(f), { id: f.rp.id, secret: 'wrong-wrong-wrong-wrong' }),
      expect: basicChallenge,
    },
    {
      endpoint,
      input: 'wrong secret',
      what: 'a wrong secret (client_secret_post)',
      send: async (f) =>
        post(f, path, { ...(await form(f)), client_id: f.rp.id, client_secret: 'wrong-wrong-wrong' }, null),
      expect: invalidClient,
    },
    {
      endpoint,
      input: 'expired secret',
      what: 'a secret past its expiry',
      send: async (f) => post(f, path, await form(f), f.expiredSecret),
      expect: basicChallenge,
    },
    {
      endpoint,
      input: "other client's secret",
      what: "the client's id with another client's secret",
      send: async (f) => post(f, path, await form(f), { id: f.rp.id, secret: f.other.secret }),
      expect: basicChallenge,
    },
    {
      endpoint,
      input: 'malformed JWT',
      what: 'a client assertion that is not a JWT (and not a supported method)',
      send: async (f) =>
        post(
          f,
          path,
          {
            ...(await form(f)),
            client_id: f.rp.id,
            client_assertion_type: ASSERTION_TYPE,
            client_assertion: 'not.a.jwt',
          },
          null,
        ),
      expect: invalidClient,
    },
    {
      endpoint,
      input: 'oversized body',
      what: 'a 70 KiB body',
      send: (f) => post(f, path, OVERSIZED),
      expect: { oauth: [413, 'invalid_request'] },
    },
    {
      endpoint,
      input: 'oversized body',
      what: 'a Content-Length over the cap (the body is not read)',
      send: (f) => post(f, path, 'a=b', f.rp, { 'content-length': '10000000' }),
      expect: { oauth: [413, 'invalid_request'] },
    },
    {
      endpoint,
      input: 'NUL or unpaired surrogate',
      what: 'U+0000 in client_id (client_secret_post)',
      send: async (f) => post(f, path, { ...(await form(f)), client_id: 'a\0b', client_secret: 'x' }, null),
      expect: { oauth: [400, 'invalid_request'] },
    },
    {
      endpoint,
      input: 'NUL or unpaired surrogate',
      what: 'U+0000 in the Basic client id',
      send: async (f) => post(f, path, await form(f), { id: 'a\0b', secret: 'x' }),
      expect: basicChallenge,
    },
  ];
}

const errorJwt = (f: Fixture, typ: string, claims: Record<string, unknown>) =>
  f.server.app.keys.sign(
    { iss: f.server.url, sub: f.adminId, aud: f.rp.id, jti: randomUUID(), ...claims },
    { typ, expiresIn: 60 },
  );

const ROWS: Row[] = [
  // ── /authorize ────────────────────────────────────────────────────────────────────────────────────
  {
    endpoint: 'authorize',
    input: 'missing parameter',
    what: 'no client_id',
    send: (f) => anonymous(f, { path: authorizePath({}) }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'missing parameter',
    what: 'no response_type',
    send: (f) => anonymous(f, { path: authorizePath({ client_id: f.web.id, response_type: '' }) }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'duplicated parameter',
    what: 'client_id twice',
    send: (f) => anonymous(f, { path: `${authorizePath({ client_id: f.web.id })}&client_id=${f.web.id}` }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'duplicated parameter',
    what: 'redirect_uri twice',
    send: (f) =>
      anonymous(f, {
        path: `${authorizePath({ client_id: f.web.id })}&redirect_uri=${encodeURIComponent(CALLBACK)}`,
      }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'duplicated parameter',
    what: 'scope twice',
    send: (f) => anonymous(f, { path: `${authorizePath({ client_id: f.web.id })}&scope=email` }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'duplicated parameter',
    what: 'state twice (so no state is echoed)',
    send: (f) => anonymous(f, { path: `${authorizePath({ client_id: f.web.id })}&state=another` }),
    expect: { redirected: 'invalid_request', noState: true },
  },
  {
    endpoint: 'authorize',
    input: 'duplicated parameter',
    what: 'a form POST with scope twice',
    send: (f) =>
      anonymous(f, {
        method: 'POST',
        path: '/authorize',
        headers: FORM,
        body: `${authorizePath({ client_id: f.web.id }).slice('/authorize?'.length)}&scope=email`,
      }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'unknown redirect_uri',
    what: 'a redirect_uri no client registered',
    send: (f) =>
      anonymous(f, {
        path: authorizePath({ client_id: f.web.id, redirect_uri: 'https://evil.example.com/cb' }),
      }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'mismatched redirect_uri',
    what: "another client's callback URL",
    send: (f) => anonymous(f, { path: authorizePath({ client_id: f.web.id, redirect_uri: ELSEWHERE }) }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'wrong PKCE verifier',
    what: 'a code_challenge_method that is not advertised',
    send: (f) =>
      anonymous(f, {
        path: authorizePath({
          client_id: f.web.id,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S512',
        }),
      }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'wrong PKCE verifier',
    what: 'a malformed code_challenge',
    send: (f) => anonymous(f, { path: authorizePath({ client_id: f.web.id, code_challenge: 'too-short' }) }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'expired code',
    what: 'a request_uri that was never pushed (or has expired)',
    send: (f) =>
      anonymous(f, {
        path: `/authorize?${new URLSearchParams({
          client_id: f.web.id,
          request_uri: `urn:ietf:params:oauth:request_uri:${randomBytes(32).toString('base64url')}`,
        })}`,
      }),
    expect: { errorPage: 'invalid_request_uri' },
  },
  {
    endpoint: 'authorize',
    input: 'reused code',
    what: 'a pushed request_uri used a second time',
    async send(f) {
      const pushed = await post(
        f,
        '/api/oidc/par',
        {
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid',
          state: STATE,
        },
        f.web,
      );
      expect(pushed.status).toBe(201);
      const path = `/authorize?${new URLSearchParams({ client_id: f.web.id, request_uri: pushed.json().request_uri })}`;
      expect((await getAs(f.admin, path)).status).toBe(302);
      return getAs(f.admin, path);
    },
    expect: { errorPage: 'invalid_request_uri' },
  },
  {
    endpoint: 'authorize',
    input: 'reused code',
    what: 'a finished interaction resumed a second time',
    async send(f) {
      const consenting = await f.createClient({}, true);
      const started = await getAs(f.admin, authorizePath({ client_id: consenting.id }));
      const id = new URL(String(started.headers.location), f.server.url).searchParams.get('interaction')!;
      const done = await f.admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
      expect((await getAs(f.admin, done.json().redirectUrl)).status).toBe(302);
      return getAs(f.admin, done.json().redirectUrl);
    },
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'malformed JWT',
    what: 'a request object that is not a JWT',
    send: (f) =>
      anonymous(f, {
        path: `/authorize?${new URLSearchParams({ client_id: f.web.id, request: 'not.a.jwt' })}`,
      }),
    expect: { errorPage: 'invalid_request_object' },
  },
  {
    endpoint: 'authorize',
    input: 'malformed JWT',
    what: 'an id_token_hint that is not a JWT',
    send: (f) => anonymous(f, { path: authorizePath({ client_id: f.web.id, id_token_hint: 'not-a-jwt' }) }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'malformed JWT',
    what: 'an access token as id_token_hint',
    send: async (f) =>
      anonymous(f, {
        path: authorizePath({ client_id: f.web.id, id_token_hint: (await f.tokensFor()).access_token }),
      }),
    expect: { redirected: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'oversized body',
    what: 'a 70 KiB form POST',
    send: (f) => anonymous(f, { method: 'POST', path: '/authorize', headers: FORM, body: OVERSIZED }),
    expect: { oauth: [413, 'invalid_request'] },
  },
  {
    endpoint: 'authorize',
    input: 'oversized body',
    what: 'a 20 KiB query (over the HTTP header limit)',
    send: (f) => anonymous(f, { path: authorizePath({ client_id: f.web.id, state: 'x'.repeat(20 * 1024) }) }),
    expect: { status: 431 },
  },
  {
    endpoint: 'authorize',
    input: "other client's code",
    what: 'a request_uri pushed by another client',
    async send(f) {
      const pushed = await post(
        f,
        '/api/oidc/par',
        {
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid',
        },
        f.rp,
      );
      return getAs(
        f.admin,
        `/authorize?${new URLSearchParams({ client_id: f.web.id, request_uri: pushed.json().request_uri })}`,
      );
    },
    expect: { errorPage: 'invalid_request_uri' },
  },
  {
    endpoint: 'authorize',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in client_id',
    send: (f) => anonymous(f, { path: authorizePath({ client_id: 'a\0b' }) }),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in state, for a signed-in person',
    send: (f) => getAs(f.admin, authorizePath({ client_id: f.web.id, state: 'a\0b' })),
    expect: { errorPage: 'invalid_request' },
  },
  {
    endpoint: 'authorize',
    input: 'NUL or unpaired surrogate',
    what: 'an unpaired surrogate escaped into a request object',
    send: (f) => {
      const payload = `{"client_id":"${f.web.id}","redirect_uri":"${CALLBACK}","response_type":"code","state":"\\ud800"}`;
      const request = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(payload).toString('base64url')}.`;
      return getAs(f.admin, `/authorize?${new URLSearchParams({ client_id: f.web.id, request })}`);
    },
    expect: { errorPage: 'invalid_request_object' },
  },
  {
    endpoint: 'authorize',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 escaped into the claims parameter',
    send: (f) =>
      getAs(f.admin, authorizePath({ client_id: f.web.id, claims: '{"userinfo":{"a\\u0000":null}}' })),
    expect: { redirected: 'invalid_request' },
  },

  // ── PAR ───────────────────────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('par', '/api/oidc/par', async () => ({
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid',
  })),
  {
    endpoint: 'par',
    input: 'missing parameter',
    what: 'no response_type',
    send: (f) => post(f, '/api/oidc/par', { redirect_uri: CALLBACK }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'duplicated parameter',
    what: 'scope twice',
    send: (f) =>
      post(
        f,
        '/api/oidc/par',
        `response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=a&scope=b`,
      ),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'duplicated parameter',
    what: 'a request_uri inside the pushed request (RFC 9126 §2.1)',
    send: (f) =>
      post(f, '/api/oidc/par', {
        response_type: 'code',
        redirect_uri: CALLBACK,
        request_uri: 'urn:ietf:params:oauth:request_uri:x',
      }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'unknown redirect_uri',
    what: 'a redirect_uri no client registered',
    send: (f) =>
      post(f, '/api/oidc/par', { response_type: 'code', redirect_uri: 'https://evil.example.com/cb' }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'mismatched redirect_uri',
    what: "another client's callback URL",
    send: (f) => post(f, '/api/oidc/par', { response_type: 'code', redirect_uri: ELSEWHERE }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'wrong PKCE verifier',
    what: 'a code_challenge_method that is not advertised',
    send: (f) =>
      post(f, '/api/oidc/par', {
        response_type: 'code',
        redirect_uri: CALLBACK,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S512',
      }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'par',
    input: 'malformed JWT',
    what: 'a request object that is not a JWT',
    send: (f) => post(f, '/api/oidc/par', { request: 'not.a.jwt' }),
    expect: { oauth: [400, 'invalid_request_object'] },
  },
  {
    endpoint: 'par',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in state',
    send: (f) => post(f, '/api/oidc/par', { response_type: 'code', redirect_uri: CALLBACK, state: 'a\0' }),
    expect: { oauth: [400, 'invalid_request'] },
  },

  // ── token: authorization_code ─────────────────────────────────────────────────────────────────────
  ...clientAuthRows('token authorization_code', '/api/oidc/token', (f) => codeForm(f)),
  {
    endpoint: 'token authorization_code',
    input: 'missing parameter',
    what: 'no grant_type',
    send: async (f) => token(f, { code: await f.aCode(), redirect_uri: CALLBACK }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'missing parameter',
    what: 'no code',
    send: (f) => token(f, { grant_type: 'authorization_code', redirect_uri: CALLBACK }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'missing parameter',
    // Omitting it is allowed for a client with a single fixed callback (token.contract.test.ts).
    what: 'a redirect_uri other than the one the code was sent to',
    send: async (f) =>
      token(f, {
        grant_type: 'authorization_code',
        code: await f.aCode(),
        redirect_uri: 'https://rp.example.com/other',
      }),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'duplicated parameter',
    what: 'code twice',
    send: async (f) => {
      const code = await f.aCode();
      return token(
        f,
        `grant_type=authorization_code&code=${code}&code=${code}&redirect_uri=${encodeURIComponent(CALLBACK)}`,
      );
    },
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'duplicated parameter',
    what: 'two client authentication methods at once',
    send: async (f) => token(f, { ...(await codeForm(f)), client_id: f.rp.id, client_secret: f.rp.secret }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'unknown redirect_uri',
    what: 'a redirect_uri nobody registered',
    send: async (f) => token(f, { ...(await codeForm(f)), redirect_uri: 'https://evil.example.com/cb' }),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'mismatched redirect_uri',
    what: 'a registered callback other than the one the code was issued for',
    send: async (f) => token(f, { ...(await codeForm(f)), redirect_uri: ELSEWHERE }),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'wrong PKCE verifier',
    what: 'a verifier that does not match the S256 challenge',
    send: async (f) =>
      token(f, {
        ...(await codeForm(f, { codeChallenge: pkce().challenge, codeChallengeMethod: 'S256' })),
        code_verifier: pkce().verifier,
      }),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'wrong PKCE verifier',
    what: 'no verifier for a code with a challenge',
    send: async (f) =>
      token(f, await codeForm(f, { codeChallenge: pkce().challenge, codeChallengeMethod: 'S256' })),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'expired code',
    what: 'a code past its 15 minutes',
    send: async (f) => token(f, await codeForm(f, { expiresAt: new Date(Date.now() - 1000) })),
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'reused code',
    what: 'a code redeemed a second time (the first tokens are revoked)',
    async send(f) {
      const form = await codeForm(f);
      const first = await token(f, form);
      expect(first.status).toBe(200);
      const second = await token(f, form);
      expect((await f.userinfo(first.json().access_token)).status).toBe(401);
      return second;
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: "other client's code",
    what: 'a code issued to another client (not spent by trying)',
    async send(f) {
      const form = await codeForm(f);
      const stolen = await token(f, form, f.other);
      expect((await token(f, form)).status).toBe(200);
      return stolen;
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token authorization_code',
    input: 'malformed JWT',
    what: 'a JWT as the code',
    send: (f) =>
      token(f, { grant_type: 'authorization_code', code: unsignedJwt({ sub: 'x' }), redirect_uri: CALLBACK }),
    expect: { oauth: [400, 'invalid_grant'] },
  },

  // ── token: refresh_token ──────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('token refresh_token', '/api/oidc/token', async (f) => ({
    grant_type: 'refresh_token',
    refresh_token: (await f.tokensFor()).refresh_token!,
  })),
  {
    endpoint: 'token refresh_token',
    input: 'missing parameter',
    what: 'no refresh_token',
    send: (f) => token(f, { grant_type: 'refresh_token' }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token refresh_token',
    input: 'duplicated parameter',
    what: 'refresh_token twice',
    send: async (f) => {
      const rt = (await f.tokensFor()).refresh_token!;
      return token(f, `grant_type=refresh_token&refresh_token=${rt}&refresh_token=${rt}`);
    },
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token refresh_token',
    input: 'expired code',
    what: 'a refresh token past its lifetime',
    async send(f) {
      const value = randomBytes(32).toString('base64url');
      const { storage } = f.server.app;
      const past = new Date(Date.now() - 60_000);
      await storage.database.withScope(() =>
        storage.refreshTokens.createFamily(
          {
            id: randomUUID(),
            clientId: f.rp.id,
            userId: f.adminId,
            sessionId: null,
            scope: 'openid',
            authTime: past,
            amr: ['phr'],
            createdAt: new Date(past.getTime() - 60_000),
            expiresAt: past,
          },
          { tokenHash: hashToken(value), createdAt: new Date(past.getTime() - 60_000), expiresAt: past },
        ),
      );
      return token(f, { grant_type: 'refresh_token', refresh_token: value });
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token refresh_token',
    input: 'reused code',
    what: 'a rotated refresh token presented again (the family is revoked)',
    async send(f) {
      const rt = (await f.tokensFor()).refresh_token!;
      const next = await token(f, { grant_type: 'refresh_token', refresh_token: rt });
      expect(next.status).toBe(200);
      const replay = await token(f, { grant_type: 'refresh_token', refresh_token: rt });
      const successor = await token(f, {
        grant_type: 'refresh_token',
        refresh_token: next.json().refresh_token,
      });
      expect(successor.json().error).toBe('invalid_grant');
      return replay;
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token refresh_token',
    input: "other client's refresh token",
    what: "another client's refresh token (not spent by trying)",
    async send(f) {
      const theirs = (await f.tokensFor({}, f.other)).refresh_token!;
      const stolen = await token(f, { grant_type: 'refresh_token', refresh_token: theirs });
      expect((await token(f, { grant_type: 'refresh_token', refresh_token: theirs }, f.other)).status).toBe(
        200,
      );
      return stolen;
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token refresh_token',
    input: 'malformed JWT',
    what: 'an access token (a JWT) as the refresh token',
    send: async (f) =>
      token(f, { grant_type: 'refresh_token', refresh_token: (await f.tokensFor()).access_token }),
    expect: { oauth: [400, 'invalid_grant'] },
  },

  // ── token: client_credentials ─────────────────────────────────────────────────────────────────────
  ...clientAuthRows('token client_credentials', '/api/oidc/token', async () => ({
    grant_type: 'client_credentials',
  })),
  {
    endpoint: 'token client_credentials',
    input: 'missing parameter',
    what: 'no grant_type',
    send: (f) => token(f, { scope: 'openid' }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token client_credentials',
    input: 'duplicated parameter',
    what: 'grant_type twice',
    send: (f) => token(f, 'grant_type=client_credentials&grant_type=client_credentials'),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token client_credentials',
    input: 'a client or token not allowed here',
    what: 'a public client (it has no credentials to use)',
    send: (f) => token(f, { grant_type: 'client_credentials', client_id: f.spa.id }, null),
    expect: { oauth: [400, 'unauthorized_client'] },
  },

  // ── token: device_code ────────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('token device_code', '/api/oidc/token', async (f) => ({
    grant_type: DEVICE_GRANT,
    device_code: (await startDevice(f)).device_code,
  })),
  {
    endpoint: 'token device_code',
    input: 'missing parameter',
    what: 'no device_code',
    send: (f) => token(f, { grant_type: DEVICE_GRANT }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token device_code',
    input: 'duplicated parameter',
    what: 'device_code twice',
    send: async (f) => {
      const { device_code: code } = await startDevice(f);
      return token(
        f,
        `grant_type=${encodeURIComponent(DEVICE_GRANT)}&device_code=${code}&device_code=${code}`,
      );
    },
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'token device_code',
    input: 'expired code',
    what: 'a device code past its 15 minutes',
    async send(f) {
      const value = randomBytes(32).toString('base64url');
      const { storage } = f.server.app;
      const past = new Date(Date.now() - 1000);
      await storage.database.withScope(() =>
        storage.deviceCodes.insert({
          deviceCodeHash: hashToken(value),
          userCode: `E${randomBytes(8).toString('hex').slice(0, 7).toUpperCase()}`,
          clientId: f.rp.id,
          scope: 'openid',
          pollInterval: 5,
          createdAt: new Date(past.getTime() - 900_000),
          expiresAt: past,
        }),
      );
      return token(f, { grant_type: DEVICE_GRANT, device_code: value });
    },
    expect: { oauth: [400, 'expired_token'] },
  },
  {
    endpoint: 'token device_code',
    input: 'reused code',
    what: 'an approved device code polled again after its tokens were issued',
    async send(f) {
      const started = await startDevice(f);
      const approved = await f.admin.post(`/api/oidc/device/verify?code=${started.user_code}`);
      expect(approved.status).toBe(204);
      const form = { grant_type: DEVICE_GRANT, device_code: started.device_code };
      expect((await token(f, form)).status).toBe(200);
      return token(f, form);
    },
    expect: { oauth: [400, 'invalid_grant'] },
  },
  {
    endpoint: 'token device_code',
    input: "other client's code",
    what: "another client's device code",
    send: async (f) =>
      token(f, { grant_type: DEVICE_GRANT, device_code: (await startDevice(f)).device_code }, f.other),
    expect: { oauth: [400, 'invalid_grant'] },
  },

  // ── userinfo ──────────────────────────────────────────────────────────────────────────────────────
  {
    endpoint: 'userinfo',
    input: 'missing parameter',
    what: 'no access token (a bare challenge, RFC 6750 §3.1)',
    send: (f) => anonymous(f, { path: '/api/oidc/userinfo' }),
    expect: { oauth: [401, 'invalid_token'], challenge: /^Bearer realm="latchkey"$/ },
  },
  {
    endpoint: 'userinfo',
    input: 'duplicated parameter',
    what: 'access_token twice in the form',
    send: (f) => post(f, '/api/oidc/userinfo', 'access_token=a&access_token=b', null),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'userinfo',
    input: 'duplicated parameter',
    what: 'the token in the header and in the form',
    send: async (f) => {
      const at = (await f.tokensFor()).access_token;
      return post(f, '/api/oidc/userinfo', { access_token: at }, null, { authorization: `Bearer ${at}` });
    },
    expect: { oauth: [400, 'invalid_request'], challenge: /error="invalid_request"/ },
  },
  {
    endpoint: 'userinfo',
    input: 'expired code',
    what: 'an expired access token',
    send: async (f) =>
      anonymous(f, {
        path: '/api/oidc/userinfo',
        headers: {
          authorization: `Bearer ${await f.server.app.keys.sign(
            { iss: f.server.url, sub: f.adminId, aud: f.rp.id, scope: 'openid', jti: randomUUID(), iat: 1 },
            { typ: 'at+jwt', expiresIn: 60 },
          )}`,
        },
      }),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'userinfo',
    input: 'reused code',
    what: 'an access token revoked because its code was redeemed again',
    async send(f) {
      const form = await codeForm(f);
      const first = (await token(f, form)).json().access_token as string;
      expect((await token(f, form)).status).toBe(400);
      return anonymous(f, { path: '/api/oidc/userinfo', headers: { authorization: `Bearer ${first}` } });
    },
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'userinfo',
    input: "other client's refresh token",
    what: "another client's refresh token as the bearer token",
    send: (f) =>
      anonymous(f, {
        path: '/api/oidc/userinfo',
        headers: { authorization: `Bearer ${f.othersTokens.refresh_token}` },
      }),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'userinfo',
    input: 'malformed JWT',
    what: 'a bearer token that is not a JWT',
    send: (f) => anonymous(f, { path: '/api/oidc/userinfo', headers: { authorization: 'Bearer not.a.jwt' } }),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'userinfo',
    input: 'malformed JWT',
    what: 'an ID token (ours, but not at+jwt) as the bearer token',
    send: async (f) =>
      anonymous(f, {
        path: '/api/oidc/userinfo',
        headers: { authorization: `Bearer ${(await f.tokensFor()).id_token}` },
      }),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'userinfo',
    input: 'oversized body',
    what: 'a 70 KiB form POST',
    send: (f) => post(f, '/api/oidc/userinfo', OVERSIZED, null),
    expect: { oauth: [413, 'invalid_request'] },
  },
  {
    endpoint: 'userinfo',
    input: 'a client or token not allowed here',
    what: 'a client_credentials token (no user, no openid)',
    send: async (f) =>
      anonymous(f, {
        path: '/api/oidc/userinfo',
        headers: {
          authorization: `Bearer ${(await token(f, { grant_type: 'client_credentials' })).json().access_token}`,
        },
      }),
    expect: { oauth: [403, 'insufficient_scope'], challenge: /error="insufficient_scope"/ },
  },

  // ── introspection ─────────────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('introspect', '/api/oidc/introspect', async (f) => ({
    token: f.othersTokens.access_token,
  })),
  {
    endpoint: 'introspect',
    input: 'missing parameter',
    what: 'no token',
    send: (f) => post(f, '/api/oidc/introspect', {}),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'introspect',
    input: 'duplicated parameter',
    what: 'token twice',
    send: (f) => post(f, '/api/oidc/introspect', 'token=a&token=b'),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'introspect',
    input: 'expired code',
    what: 'an expired access token',
    send: async (f) =>
      post(f, '/api/oidc/introspect', { token: await errorJwt(f, 'at+jwt', { iat: 1, scope: 'openid' }) }),
    expect: { status: 200, then: (res) => expect(res.json()).toEqual({ active: false }) },
  },
  {
    endpoint: 'introspect',
    input: 'reused code',
    what: 'the tokens of a code that was redeemed again',
    async send(f) {
      const form = await codeForm(f);
      const first = (await token(f, form)).json().refresh_token as string;
      await token(f, form);
      return post(f, '/api/oidc/introspect', { token: first });
    },
    expect: { status: 200, then: (res) => expect(res.json()).toEqual({ active: false }) },
  },
  {
    endpoint: 'introspect',
    input: "other client's refresh token",
    what: "another client's refresh token (nothing about it is told)",
    send: (f) => post(f, '/api/oidc/introspect', { token: f.othersTokens.refresh_token! }),
    expect: { status: 200, then: (res) => expect(res.json()).toEqual({ active: false }) },
  },
  {
    endpoint: 'introspect',
    input: 'malformed JWT',
    what: 'a token that is not a JWT',
    send: (f) => post(f, '/api/oidc/introspect', { token: 'not.a.jwt' }),
    expect: { status: 200, then: (res) => expect(res.json()).toEqual({ active: false }) },
  },
  {
    endpoint: 'introspect',
    input: 'a client or token not allowed here',
    what: 'a public client (introspection needs an authenticated caller)',
    send: (f) => post(f, '/api/oidc/introspect', { token: 'x', client_id: f.spa.id }, null),
    expect: { oauth: [401, 'invalid_client'] },
  },
  {
    endpoint: 'introspect',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in the token',
    send: (f) => post(f, '/api/oidc/introspect', { token: 'a\0' }),
    expect: { oauth: [400, 'invalid_request'] },
  },

  // ── revocation ────────────────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('revoke', '/api/oidc/revoke', async (f) => ({
    token: (await f.tokensFor()).refresh_token!,
  })),
  {
    endpoint: 'revoke',
    input: 'missing parameter',
    what: 'no token',
    send: (f) => post(f, '/api/oidc/revoke', {}),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'revoke',
    input: 'duplicated parameter',
    what: 'token twice',
    send: (f) => post(f, '/api/oidc/revoke', 'token=a&token=b'),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'revoke',
    input: 'expired code',
    what: 'an expired access token (RFC 7009 §2.2: nothing to do, 200)',
    send: async (f) => post(f, '/api/oidc/revoke', { token: await errorJwt(f, 'at+jwt', { iat: 1 }) }),
    expect: { status: 200 },
  },
  {
    endpoint: 'revoke',
    input: "other client's refresh token",
    what: "another client's refresh token: 200, and it still works for its owner",
    async send(f) {
      const theirs = (await f.tokensFor({}, f.other)).refresh_token!;
      const res = await post(f, '/api/oidc/revoke', { token: theirs });
      expect((await token(f, { grant_type: 'refresh_token', refresh_token: theirs }, f.other)).status).toBe(
        200,
      );
      return res;
    },
    expect: { status: 200 },
  },
  {
    endpoint: 'revoke',
    input: 'malformed JWT',
    what: 'a token that is not a JWT (RFC 7009 §2.2: 200)',
    send: (f) => post(f, '/api/oidc/revoke', { token: 'not.a.jwt' }),
    expect: { status: 200 },
  },
  {
    endpoint: 'revoke',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in token_type_hint',
    send: (f) => post(f, '/api/oidc/revoke', { token: 'x', token_type_hint: 'refresh\0token' }),
    expect: { oauth: [400, 'invalid_request'] },
  },

  // ── end-session ───────────────────────────────────────────────────────────────────────────────────
  {
    endpoint: 'end-session',
    input: 'missing parameter',
    what: 'no id_token_hint: the confirmation page, nobody signed out',
    send: (f) => getAs(f.admin, '/api/oidc/end-session'),
    expect: { status: 302, then: expectLogoutPageAndStillSignedIn },
  },
  {
    endpoint: 'end-session',
    input: 'duplicated parameter',
    what: 'state twice',
    send: (f) => getAs(f.admin, '/api/oidc/end-session?state=a&state=b'),
    expect: { problem: [400, 'invalid_request'] },
  },
  {
    endpoint: 'end-session',
    input: 'unknown redirect_uri',
    what: 'a post_logout_redirect_uri no client registered: not followed, nobody signed out',
    send: async (f) =>
      getAs(
        f.admin,
        `/api/oidc/end-session?${new URLSearchParams({
          id_token_hint: (await f.tokensFor({ clientId: f.web.id }, f.web)).id_token!,
          post_logout_redirect_uri: 'https://evil.example.com/out',
        })}`,
      ),
    expect: { status: 302, then: expectLogoutPageAndStillSignedIn },
  },
  {
    endpoint: 'end-session',
    input: 'mismatched redirect_uri',
    what: "another client's logout URL: not followed, nobody signed out",
    send: async (f) =>
      getAs(
        f.admin,
        `/api/oidc/end-session?${new URLSearchParams({
          id_token_hint: (await f.tokensFor({ clientId: f.web.id }, f.web)).id_token!,
          post_logout_redirect_uri: 'https://elsewhere.example.com/out',
        })}`,
      ),
    expect: { status: 302, then: expectLogoutPageAndStillSignedIn },
  },
  {
    endpoint: 'end-session',
    input: 'malformed JWT',
    what: 'an id_token_hint that is not a JWT',
    send: (f) => getAs(f.admin, '/api/oidc/end-session?id_token_hint=not.a.jwt'),
    expect: { status: 302, then: expectLogoutPageAndStillSignedIn },
  },
  {
    endpoint: 'end-session',
    input: 'oversized body',
    what: 'a 70 KiB form POST',
    send: (f) => post(f, '/api/oidc/end-session', OVERSIZED, null),
    expect: { problem: [413, 'request_body_too_large'] },
  },
  {
    endpoint: 'end-session',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in client_id',
    send: (f) => getAs(f.admin, '/api/oidc/end-session?client_id=a%00b'),
    expect: { problem: [400, 'validation_failed'] },
  },

  // ── device authorization ──────────────────────────────────────────────────────────────────────────
  ...clientAuthRows('device authorize', '/api/oidc/device/authorize', async () => ({ scope: 'openid' })),
  {
    endpoint: 'device authorize',
    input: 'duplicated parameter',
    what: 'scope twice',
    send: (f) => post(f, '/api/oidc/device/authorize', 'scope=openid&scope=email'),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'device authorize',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in scope',
    send: (f) => post(f, '/api/oidc/device/authorize', { scope: 'openid\0' }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'device authorize',
    input: 'NUL or unpaired surrogate',
    what: 'a user code with U+0000 typed on the browser side',
    send: (f) => getAs(f.admin, '/api/oidc/device/info?code=E%00'),
    expect: { problem: [400, 'validation_failed'] },
  },

  // ── dynamic client registration ───────────────────────────────────────────────────────────────────
  {
    endpoint: 'register',
    input: 'missing parameter',
    what: 'no redirect_uris for the authorization_code grant',
    send: (f) => register(f, {}),
    expect: { oauth: [400, 'invalid_redirect_uri'] },
  },
  {
    endpoint: 'register',
    input: 'missing parameter',
    what: 'no initial access token (a bare challenge)',
    send: (f) => register(f, { redirect_uris: ['https://a.example.com/cb'] }, null),
    expect: { oauth: [401, 'invalid_token'], challenge: /^Bearer realm="latchkey"$/ },
  },
  {
    endpoint: 'register',
    input: 'duplicated parameter',
    what: 'the scope given twice, as scope and scopes, differently',
    send: (f) =>
      register(f, {
        redirect_uris: ['https://a.example.com/cb'],
        scope: 'openid',
        scopes: ['openid', 'email'],
      }),
    expect: { oauth: [400, 'invalid_client_metadata'] },
  },
  {
    endpoint: 'register',
    input: 'wrong secret',
    what: 'an initial access token that is no API key',
    send: (f) => register(f, { redirect_uris: ['https://a.example.com/cb'] }, 'wrong-wrong-wrong'),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'register',
    input: 'expired secret',
    what: 'an expired API key',
    send: (f) => register(f, { redirect_uris: ['https://a.example.com/cb'] }, f.expiredApiKey),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'register',
    input: "other client's secret",
    what: "another registration's access token on the configuration endpoint",
    async send(f) {
      const a = (await register(f, { redirect_uris: ['https://a.example.com/cb'] })).json();
      const b = (await register(f, { redirect_uris: ['https://b.example.com/cb'] })).json();
      return send(f.server.url, {
        path: new URL(a.registration_client_uri).pathname,
        headers: { authorization: `Bearer ${b.registration_access_token}` },
      });
    },
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'register',
    input: 'unknown redirect_uri',
    what: 'a redirect URI with a fragment',
    send: (f) => register(f, { redirect_uris: ['https://a.example.com/cb#x'] }),
    expect: { oauth: [400, 'invalid_redirect_uri'] },
  },
  {
    endpoint: 'register',
    input: 'unknown redirect_uri',
    what: 'a javascript: redirect URI',
    send: (f) => register(f, { redirect_uris: ['javascript:alert(1)'] }),
    expect: { oauth: [400, 'invalid_redirect_uri'] },
  },
  {
    endpoint: 'register',
    input: 'malformed JWT',
    what: 'a bearer token shaped like a broken JWT',
    send: (f) => register(f, { redirect_uris: ['https://a.example.com/cb'] }, 'not.a.jwt'),
    expect: { oauth: [401, 'invalid_token'], challenge: /error="invalid_token"/ },
  },
  {
    endpoint: 'register',
    input: 'malformed JWT',
    what: 'a malformed software_statement: ignored (RFC 7591 §3.1.1 lets a server that does not support them)',
    send: (f) =>
      register(f, { redirect_uris: ['https://a.example.com/cb'], software_statement: 'not.a.jwt' }),
    expect: { status: 201 },
  },
  {
    endpoint: 'register',
    input: 'malformed JWT',
    what: 'a body that is not JSON',
    send: (f) =>
      send(f.server.url, {
        method: 'POST',
        path: '/api/oidc/register',
        headers: { authorization: `Bearer ${f.apiKey}`, 'content-type': 'application/json' },
        body: '{"redirect_uris":',
      }),
    expect: { oauth: [400, 'invalid_request'] },
  },
  {
    endpoint: 'register',
    input: 'oversized body',
    what: 'a 70 KiB JSON body',
    send: (f) => register(f, { client_name: 'x'.repeat(70 * 1024) }),
    expect: { oauth: [413, 'invalid_request'] },
  },
  {
    endpoint: 'register',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in client_name',
    send: (f) => register(f, { client_name: 'a\0b', redirect_uris: ['https://a.example.com/cb'] }),
    expect: { oauth: [400, 'invalid_client_metadata'] },
  },
  {
    endpoint: 'register',
    input: 'NUL or unpaired surrogate',
    what: 'an unpaired surrogate in an ignored member',
    send: (f) =>
      send(f.server.url, {
        method: 'POST',
        path: '/api/oidc/register',
        headers: { authorization: `Bearer ${f.apiKey}`, 'content-type': 'application/json' },
        body: '{"redirect_uris":["https://a.example.com/cb"],"x":"\\ud800"}',
      }),
    expect: { oauth: [400, 'invalid_client_metadata'] },
  },
  {
    endpoint: 'register',
    input: 'NUL or unpaired surrogate',
    what: 'U+0000 in the configuration endpoint path',
    send: (f) =>
      send(f.server.url, {
        path: '/api/oidc/register/a%00b',
        headers: { authorization: `Bearer ${f.apiKey}` },
      }),
    expect: { oauth: [401, 'invalid_token'] },
  },
];

function register(f: Fixture, body: unknown, bearer: string | null = f.apiKey): Promise<RawResponse> {
  return send(f.server.url, {
    method: 'POST',
    path: '/api/oidc/register',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function startDevice(f: Fixture): Promise<{ device_code: string; user_code: string }> {
  const res = await post(f, '/api/oidc/device/authorize', { scope: 'openid' });
  expect(res.status).toBe(200);
  return res.json();
}

/** End-session's safe answer: the `/logout` page, and the admin's session is still there. */
async function expectLogoutPageAndStillSignedIn(res: RawResponse, f: Fixture): Promise<void> {
  expect(new URL(String(res.headers.location)).pathname).toBe('/logout');
  expect(res.headers['set-cookie']).toBeUndefined();
  expect((await f.admin.get('/api/users/me')).status).toBe(200);
}

async function check(row: Row, res: RawResponse, f: Fixture): Promise<void> {
  expect(res.status).toBeLessThan(500);
  const e = row.expect;
  if ('oauth' in e) {
    expect({ status: res.status, error: res.json().error }).toEqual({
      status: e.oauth[0],
      error: e.oauth[1],
    });
    expect(typeof res.json().error_description).toBe('string');
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    if (e.challenge) expect(String(res.headers['www-authenticate'])).toMatch(e.challenge);
  } else if ('problem' in e) {
    expect({ status: res.status, code: res.json().code }).toEqual({
      status: e.problem[0],
      code: e.problem[1],
    });
    expect(res.headers['content-type']).toContain('application/problem+json');
  } else if ('errorPage' in e) {
    expect(res.status).toBe(302);
    const url = new URL(String(res.headers.location), f.server.url);
    expect(url.origin + url.pathname).toBe(`${f.server.url}/interaction/error`);
    expect(url.searchParams.get('error')).toBe(e.errorPage);
  } else if ('redirected' in e) {
    expect(res.status).toBe(302);
    const url = new URL(String(res.headers.location));
    expect(url.origin + url.pathname).toBe(CALLBACK);
    expect(url.searchParams.get('error')).toBe(e.redirected);
    expect(url.searchParams.get('iss')).toBe(f.server.url);
    expect(url.searchParams.get('state')).toBe(e.noState ? null : STATE);
    expect(url.searchParams.get('code')).toBeNull();
  } else {
    expect(res.status).toBe(e.status);
    await e.then?.(res, f);
  }
}

describe('the bad-input table', () => {
  it('has a row, or a reason why none applies, for every endpoint and every kind of bad input', () => {
    const missing: string[] = [];
    for (const endpoint of ENDPOINTS) {
      for (const input of REQUIRED_INPUTS) {
        const tested = ROWS.some((r) => r.endpoint === endpoint && r.input === input);
        const excused = NOT_APPLICABLE[endpoint]?.[input] !== undefined;
        if (tested === excused)
          missing.push(`${endpoint} × ${input}: ${tested ? 'tested and excused' : 'neither'}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe.each(MATRIX)('bad input on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);
  let f: Fixture | undefined;

  beforeAll(async () => {
    const base = get();
    if (!base) return;
    const { storage } = base.server.app;
    const expiredValue = randomBytes(24).toString('base64url');
    await storage.database.withScope(() =>
      storage.oidcClients.insertSecret(
        {
          id: randomUUID(),
          clientId: base.rp.id,
          hash: hashClientSecret(expiredValue),
          alg: 'sha256',
          prefix: expiredValue.slice(0, 4),
          expiresAt: new Date(Date.now() - 86_400_000),
        },
        20,
      ),
    );
    const expiredApiKey = randomBytes(16).toString('hex');
    await storage.database.withScope(() =>
      storage.apiKeys.insert({
        id: randomUUID(),
        name: 'expired',
        description: null,
        keyHash: hashApiKey(expiredApiKey),
        userId: base.adminId,
        expiresAt: new Date(Date.now() - 86_400_000),
      }),
    );
    const key = await base.admin.post('/api/api-keys', {
      name: 'registration',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(key.status).toBe(201);
    f = Object.assign(base, {
      web: await base.createClient({ skipConsent: true, logoutCallbackURLs: [LOGOUT_URL] }, true),
      elsewhere: await base.createClient(
        { callbackURLs: [ELSEWHERE], logoutCallbackURLs: ['https://elsewhere.example.com/out'] },
        true,
      ),
      expiredSecret: { id: base.rp.id, secret: expiredValue },
      apiKey: key.json().token as string,
      expiredApiKey,
      othersTokens: await base.tokensFor({}, base.other),
    });
  });

  for (const row of ROWS) {
    it(`${row.endpoint} × ${row.input}: ${row.what}`, async ({ skip }) => {
      if (!f) return skip();
      await check(row, await row.send(f), f);
    });
  }

  it('50 parallel redemptions of one code: exactly one succeeds, and its tokens are revoked by the replays', async ({
    skip,
  }) => {
    if (!f) return skip();
    const form = await codeForm(f);
    const answers = await Promise.all(Array.from({ length: 50 }, () => token(f!, form)));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.json().error === 'invalid_grant')).toHaveLength(49);
    // RFC 6749 §4.1.2: a code used twice revokes what it issued.
    const tokens = won[0]!.json() as { access_token: string; refresh_token: string };
    expect((await f.userinfo(tokens.access_token)).status).toBe(401);
    const refreshed = await token(f, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.json().error).toBe('invalid_grant');
  });

  it('20 parallel uses of one refresh token: exactly one succeeds, and the losers, as replays, revoke the family', async ({
    skip,
  }) => {
    if (!f) return skip();
    const start = await f.tokensFor();
    const form = { grant_type: 'refresh_token', refresh_token: start.refresh_token! };
    const answers = await Promise.all(Array.from({ length: 20 }, () => token(f!, form)));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.json().error === 'invalid_grant')).toHaveLength(19);
    // Kept on purpose (RFC 9700 §4.14.2): a lost race looks like a replay, so the whole family goes,
    // the winner's new tokens included.
    const winner = won[0]!.json() as { access_token: string; refresh_token: string };
    expect(
      (await token(f, { grant_type: 'refresh_token', refresh_token: winner.refresh_token })).json().error,
    ).toBe('invalid_grant');
    expect((await f.userinfo(winner.access_token)).status).toBe(401);
    expect((await f.userinfo(start.access_token)).status).toBe(401);
  });

  it('HEAD /authorize issues nothing for a signed-in person: 405 with Allow (RFC 9110 §9.3.2, §15.5.6)', async ({
    skip,
  }) => {
    if (!f) return skip();
    const fresh = await f.createClient({ skipConsent: true }, true);
    const path = authorizePath({ client_id: fresh.id });
    const head = await f.admin.request({ method: 'HEAD', path });
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET, POST');
    expect(head.headers.location).toBeUndefined();
    expect(head.body.length).toBe(0);
    const { storage } = f.server.app;
    // No consent was recorded, so no code was issued (authorize() records the consent with the code).
    expect(await storage.database.withScope(() => storage.consents.find(f!.adminId, fresh.id))).toBeNull();
    // The same request as GET does issue one: the HEAD was refused, not the request.
    const got = await f.admin.get(path);
    expect(new URL(String(got.headers.location)).searchParams.get('code')).toBeTruthy();
    expect(
      await storage.database.withScope(() => storage.consents.find(f!.adminId, fresh.id)),
    ).not.toBeNull();
  });

  it('HEAD /api/oidc/end-session signs nobody out: 405 with Allow', async ({ skip }) => {
    if (!f) return skip();
    const token = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    const { storage } = f.server.app;
    await storage.database.withScope(() =>
      storage.sessions.insert({
        id: sessionId,
        userId: f!.adminId,
        tokenHash: hashToken(token),
        amr: ['phr'],
        authTime: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
        ip: null,
        userAgent: null,
      }),
    );
    const browser = new Browser(f.server.url);
    browser.cookies.set('access_token', token);
    const { id_token: hint } = await f.tokensFor({ sessionId, clientId: f.web.id }, f.web);
    const path = `/api/oidc/end-session?${new URLSearchParams({ id_token_hint: hint! })}`;
    const head = await browser.request({ method: 'HEAD', path });
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET, POST');
    expect(head.headers['set-cookie']).toBeUndefined();
    expect((await browser.get('/api/users/me')).status).toBe(200);
    // GET does sign out.
    expect((await browser.get(path)).headers.location).toBe(LOGOUT_URL);
    browser.cookies.set('access_token', token);
    expect((await browser.get('/api/users/me')).status).toBe(401);
  });
});
