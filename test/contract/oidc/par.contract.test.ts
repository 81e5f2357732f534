import { hashToken } from '@latchkey/core';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizeFixture,
  authorizePath,
  CALLBACK,
  OIDC_MATRIX,
  pkce,
  STATE,
  unsignedJwt,
} from './authorize-helpers.js';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Pushed authorization requests (RFC 9126) at `POST /api/oidc/par`, and unsigned request objects
 * (OIDC Core §6.1) as Pocket ID accepts them.
 */
describe.each(OIDC_MATRIX)('PAR and request objects on %s with %s', (httpHost, dialect) => {
  let f: AuthorizeFixture | null = null;
  let rp: { id: string; name: string; secret: string };
  let other: { id: string; name: string; secret: string };

  beforeAll(async () => {
    f = await AuthorizeFixture.start(httpHost, dialect);
    if (!f) return;
    rp = await f.createClient({ skipConsent: true });
    other = await f.createClient({ skipConsent: true });
  });
  afterAll(async () => {
    await f?.stop();
  });

  const push = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    f!.browser().request({
      method: 'POST',
      path: '/api/oidc/par',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });
  const codeScope = async (code: string) => {
    const { storage } = f!.server.app;
    return storage.database.withScope(async () => {
      const row = await storage.authorizationCodes.redeem(hashToken(code), new Date());
      return row?.code.scope;
    });
  };
  const errorPage = (res: Parameters<AuthorizeFixture['location']>[0]) => {
    const url = f!.location(res);
    expect(url.origin).toBe(f!.url);
    expect(url.pathname).toBe('/interaction/error');
    return url.searchParams.get('error');
  };
  const aRequest = (overrides: Record<string, string> = {}) => ({
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid email',
    state: STATE,
    ...overrides,
  });

  it('signs in through openid-client with a pushed request', async ({ skip }) => {
    if (!f) return skip();
    const config = await client.discovery(new URL(f.url), rp.id, rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata()).toMatchObject({
      pushed_authorization_request_endpoint: `${f.url}/api/oidc/par`,
      require_pushed_authorization_requests: false,
    });
    const { verifier, challenge } = pkce();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(
      /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/,
    );
    const answer = f.location(await f.admin.get(url.pathname + url.search));
    expect(`${answer.origin}${answer.pathname}`).toBe(CALLBACK);
    const tokens = await client.authorizationCodeGrant(config, answer, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.sub).toBe(f.adminId);
  });

  it('answers 201 {request_uri, expires_in} that works once, for its own client, ignoring query overrides', async ({
    skip,
  }) => {
    if (!f) return skip();
    const res = await push(aRequest(), { authorization: basic(rp.id, rp.secret) });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as { request_uri: string; expires_in: number };
    expect(body.expires_in).toBe(90);
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'request_uri']);

    // Another client cannot use it, and trying does not spend it.
    const stolen = await f.admin.get(
      `/authorize?${new URLSearchParams({ client_id: other.id, request_uri: body.request_uri })}`,
    );
    expect(errorPage(stolen)).toBe('invalid_request_uri');

    // Parameters outside the pushed request are ignored (RFC 9126 §4).
    const path = `/authorize?${new URLSearchParams({
      client_id: rp.id,
      request_uri: body.request_uri,
      scope: 'openid groups',
      state: 'another-state-value',
    })}`;
    const answer = f.location(await f.admin.get(path));
    expect(answer.searchParams.get('state')).toBe(STATE);
    expect(answer.searchParams.get('iss')).toBe(f.url);
    expect(await codeScope(answer.searchParams.get('code')!)).toBe('openid email');

    expect(errorPage(await f.admin.get(path))).toBe('invalid_request_uri');
  });

  it('authenticates the client: public clients by client_id, others by secret', async ({ skip }) => {
    if (!f) return skip();
    const expectOAuthError = (res: Awaited<ReturnType<typeof push>>, status: number, error: string) => {
      expect(res.status).toBe(status);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json().error).toBe(error);
    };
    expectOAuthError(await push(aRequest()), 401, 'invalid_client');
    expectOAuthError(await push(aRequest({ client_id: rp.id })), 401, 'invalid_client');
    expectOAuthError(
      await push(aRequest(), { authorization: basic(rp.id, 'wrong-secret-0123456789') }),
      401,
      'invalid_client',
    );
    expectOAuthError(
      await push(aRequest({ client_id: rp.id }), { authorization: basic(other.id, other.secret) }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await push(aRequest({ client_id: rp.id, client_secret: other.secret })),
      401,
      'invalid_client',
    );
    const spa = await f.createClient({ isPublic: true, skipConsent: true });
    const res = await push(
      aRequest({ client_id: spa.id, code_challenge: pkce().challenge, code_challenge_method: 'S256' }),
    );
    expect(res.status).toBe(201);
    // client_secret_post works too, and the secret is not part of what is stored.
    const post = await push(aRequest({ client_id: rp.id, client_secret: rp.secret }));
    expect(post.status).toBe(201);
    const { storage } = f.server.app;
    const stored = await storage.database.withScope(() =>
      storage.pushedAuthorizationRequests.consume(hashToken(post.json().request_uri), rp.id, new Date()),
    );
    expect(stored?.parameters).not.toHaveProperty('client_secret');
    expect(stored?.parameters).toMatchObject({ client_id: rp.id, scope: 'openid email' });
  });

  it('validates the pushed request with the authorize checks, answering RFC 6749 JSON', async ({ skip }) => {
    if (!f) return skip();
    const auth = { authorization: basic(rp.id, rp.secret) };
    const cases: [Record<string, string>, string][] = [
      [aRequest({ redirect_uri: 'https://evil.example.com/cb' }), 'invalid_request'],
      [aRequest({ response_type: 'token' }), 'unsupported_response_type'],
      [aRequest({ resource: 'https://api.example.com' }), 'invalid_target'],
      [aRequest({ prompt: 'none login' }), 'invalid_request'],
      [aRequest({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }), 'invalid_request'],
      [aRequest({ request: unsignedJwt({ scope: 'openid' }, { alg: 'HS256' }) }), 'invalid_request_object'],
      [aRequest({ code_challenge: 'short' }), 'invalid_request'],
    ];
    for (const [body, error] of cases) {
      const res = await push(body, auth);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json().error, JSON.stringify(body)).toBe(error);
    }
    // A repeated parameter (RFC 6749 §3.1).
    const repeated = await f.browser().request({
      method: 'POST',
      path: '/api/oidc/par',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      body: `${new URLSearchParams(aRequest())}&scope=openid`,
    });
    expect(repeated.status).toBe(400);
    expect(repeated.json().error).toBe('invalid_request');
    const wrongType = await f.browser().request({
      method: 'POST',
      path: '/api/oidc/par',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(aRequest()),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json().error).toBe('invalid_request');
    expect((await f.browser().get('/api/oidc/par')).status).toBe(405);
  });

  it('refuses unknown, expired and foreign request_uri values on the error page', async ({ skip }) => {
    if (!f) return skip();
    const at = (requestUri: string) =>
      f!.admin.get(`/authorize?${new URLSearchParams({ client_id: rp.id, request_uri: requestUri })}`);
    expect(errorPage(await at('urn:ietf:params:oauth:request_uri:nope'))).toBe('invalid_request_uri');
    expect(errorPage(await at('https://rp.example.com/request.jwt'))).toBe('request_uri_not_supported');
    const expired = 'urn:ietf:params:oauth:request_uri:expired-request-for-the-test';
    const { storage } = f.server.app;
    await storage.database.withScope(() =>
      storage.pushedAuthorizationRequests.insert({
        requestUriHash: hashToken(expired),
        clientId: rp.id,
        parameters: { ...aRequest(), client_id: rp.id },
        createdAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() - 30_000),
      }),
    );
    expect(errorPage(await at(expired))).toBe('invalid_request_uri');
    const both = await f.admin.get(
      authorizePath({ client_id: rp.id, request_uri: expired, request: unsignedJwt({ scope: 'openid' }) }),
    );
    expect(errorPage(both)).toBe('invalid_request');
  });

  it('makes a client with requiresPushedAuthorizationRequests push its requests', async ({ skip }) => {
    if (!f) return skip();
    const strict = await f.createClient({ skipConsent: true, requiresPushedAuthorizationRequests: true });
    const direct = f.location(await f.admin.get(authorizePath({ client_id: strict.id })));
    expect(`${direct.origin}${direct.pathname}`).toBe(CALLBACK);
    expect(direct.searchParams.get('error')).toBe('invalid_request');
    expect(direct.searchParams.get('iss')).toBe(f.url);
    const pushed = await push(aRequest(), { authorization: basic(strict.id, strict.secret) });
    expect(pushed.status).toBe(201);
    const answer = f.location(
      await f.admin.get(
        `/authorize?${new URLSearchParams({ client_id: strict.id, request_uri: pushed.json().request_uri })}`,
      ),
    );
    expect(answer.searchParams.get('code')).toBeTruthy();
  });

  it('accepts an unsigned request object whose claims supersede the query', async ({ skip }) => {
    if (!f) return skip();
    const request = unsignedJwt({
      iss: rp.id,
      aud: f.url,
      client_id: rp.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email',
      state: 'state-from-the-request-object',
      nonce: 'nonce-from-the-request-object',
      max_age: 3600,
    });
    const path = `/authorize?${new URLSearchParams({
      client_id: rp.id,
      response_type: 'code',
      scope: 'openid profile',
      request,
    })}`;
    const answer = f.location(await f.admin.get(path));
    expect(`${answer.origin}${answer.pathname}`).toBe(CALLBACK);
    expect(answer.searchParams.get('state')).toBe('state-from-the-request-object');
    expect(await codeScope(answer.searchParams.get('code')!)).toBe('openid email');

    // Pushed inside a PAR request as well.
    const pushed = await push(
      { client_id: rp.id, client_secret: rp.secret, response_type: 'code', request },
      {},
    );
    expect(pushed.status).toBe(201);
  });

  it('refuses signed, malformed and mismatching request objects on the error page', async ({ skip }) => {
    if (!f) return skip();
    const at = (request: string, extra: Record<string, string> = {}) =>
      f!.admin.get(
        `/authorize?${new URLSearchParams({ client_id: rp.id, response_type: 'code', request, ...extra })}`,
      );
    const claims = { redirect_uri: CALLBACK, scope: 'openid', state: STATE };
    expect(errorPage(await at(unsignedJwt(claims, { alg: 'RS256' })))).toBe('invalid_request_object');
    expect(errorPage(await at(`${unsignedJwt(claims)}c2lnbmF0dXJl`))).toBe('invalid_request_object');
    expect(errorPage(await at('not-a-jwt'))).toBe('invalid_request_object');
    expect(errorPage(await at('a.b.c.d'))).toBe('invalid_request_object');
    expect(errorPage(await at(unsignedJwt({ ...claims, client_id: other.id })))).toBe(
      'invalid_request_object',
    );
    expect(errorPage(await at(unsignedJwt({ ...claims, response_type: 'token' })))).toBe(
      'invalid_request_object',
    );
    expect(errorPage(await at(unsignedJwt({ ...claims, exp: 1_000_000 })))).toBe('invalid_request_object');
    expect(errorPage(await at(unsignedJwt({ ...claims, request_uri: 'x' })))).toBe('invalid_request_object');
    expect(errorPage(await at(Buffer.from('[]').toString('base64url') + '.e30.'))).toBe(
      'invalid_request_object',
    );
  });
});
