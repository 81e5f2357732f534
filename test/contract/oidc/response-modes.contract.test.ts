import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawResponse } from '../../support/http-client.js';
import { AuthorizeFixture, authorizePath, CALLBACK, OIDC_MATRIX, pkce, STATE } from './authorize-helpers.js';

/** The form_post page's hidden inputs, its form action and its one inline script. */
function parseFormPost(res: RawResponse) {
  const html = res.text;
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  const inputs: Record<string, string> = {};
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    inputs[unescape(m[1]!)] = unescape(m[2]!);
  }
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  return { action: action && unescape(action), inputs, scripts };
}

/**
 * Response modes (OAuth 2.0 Multiple Response Type Encoding Practices, Form Post Response Mode) and
 * RFC 9207 `iss`: a code and an error travel the same way, in the mode the request asked for.
 */
describe.each(OIDC_MATRIX)('authorization response modes on %s with %s', (httpHost, dialect) => {
  let f: AuthorizeFixture | null = null;
  let rp: { id: string; name: string; secret: string };
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    f = await AuthorizeFixture.start(httpHost, dialect);
    if (!f) return;
    rp = await f.createClient({ skipConsent: true });
    const issuer = new URL(f.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    );
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('answers in the query by default, with state and iss', async ({ skip }) => {
    if (!f) return skip();
    const res = await f.admin.get(authorizePath({ client_id: rp.id }));
    const url = f.location(res);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    expect(url.hash).toBe('');
    const params = oauth.validateAuthResponse(as, { client_id: rp.id }, url, STATE);
    expect(params.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers in the fragment for response_mode=fragment, errors too', async ({ skip }) => {
    if (!f) return skip();
    const url = f.location(await f.admin.get(authorizePath({ client_id: rp.id, response_mode: 'fragment' })));
    expect(`${url.origin}${url.pathname}${url.search}`).toBe(CALLBACK);
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('iss')).toBe(f.url);
    const params = oauth.validateAuthResponse(as, { client_id: rp.id }, fragment, STATE);
    expect(params.get('code')).toBeTruthy();

    const error = f.location(
      await f
        .browser()
        .get(
          authorizePath({ client_id: rp.id, response_mode: 'fragment', resource: 'https://api.example.com' }),
        ),
    );
    expect(error.search).toBe('');
    const errorParams = new URLSearchParams(error.hash.slice(1));
    expect(Object.fromEntries(errorParams)).toMatchObject({
      error: 'invalid_target',
      state: STATE,
      iss: f.url,
    });
    // prompt=none's answer travels the same way.
    const none = f.location(
      await f.browser().get(authorizePath({ client_id: rp.id, response_mode: 'fragment', prompt: 'none' })),
    );
    expect(new URLSearchParams(none.hash.slice(1)).get('error')).toBe('login_required');
  });

  it('posts an auto-submitting form for response_mode=form_post, under a CSP that admits only its script', async ({
    skip,
  }) => {
    if (!f) return skip();
    const state = `${STATE}"<&'>`;
    const { verifier, challenge } = pkce();
    const nonce = 'nonce-with-entropy';
    const res = await f.admin.get(
      authorizePath({
        client_id: rp.id,
        response_mode: 'form_post',
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    const page = parseFormPost(res);
    expect(page.action).toBe(CALLBACK);
    expect(page.scripts).toHaveLength(1);
    const hash = createHash('sha256').update(page.scripts[0]!).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.inputs).toMatchObject({ state, iss: f.url });
    // No raw quote from the state breaks out of its attribute.
    expect(res.text).not.toContain(state);

    // openid-client (OpenID certified) takes the POST the browser would make.
    const config = await client.discovery(new URL(f.url), rp.id, rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const callback = new Request(CALLBACK, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(page.inputs).toString(),
    });
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ iss: f.url, aud: rp.id, sub: f.adminId });
  });

  it('posts errors found after the redirect URI check in the form too', async ({ skip }) => {
    if (!f) return skip();
    const res = await f
      .browser()
      .get(authorizePath({ client_id: rp.id, response_mode: 'form_post', response_type: 'token' }));
    expect(res.status).toBe(200);
    expect(parseFormPost(res).inputs).toMatchObject({
      error: 'unsupported_response_type',
      state: STATE,
      iss: f.url,
    });
  });

  it('refuses an unknown response_mode in the query, and shows errors before the redirect URI check the error page', async ({
    skip,
  }) => {
    if (!f) return skip();
    const unknown = f.location(
      await f.browser().get(authorizePath({ client_id: rp.id, response_mode: 'web_message' })),
    );
    expect(`${unknown.origin}${unknown.pathname}`).toBe(CALLBACK);
    expect(unknown.searchParams.get('error')).toBe('invalid_request');
    expect(unknown.searchParams.get('iss')).toBe(f.url);

    for (const params of <Record<string, string>[]>[
      { client_id: 'nobody', response_mode: 'form_post' },
      { client_id: rp.id, response_mode: 'form_post', redirect_uri: 'https://evil.example.com/cb' },
      { client_id: rp.id, response_mode: 'fragment', redirect_uri: 'https://evil.example.com/cb' },
    ]) {
      const page = f.location(await f.browser().get(authorizePath(params)));
      expect(page.origin).toBe(f.url);
      expect(page.pathname).toBe('/interaction/error');
    }
  });

  it('keeps the response mode through an interaction', async ({ skip }) => {
    if (!f) return skip();
    const consenting = await f.createClient();
    const id = f.interactionOf(
      await f.browser().get(authorizePath({ client_id: consenting.id, response_mode: 'form_post' })),
    );
    expect((await f.complete(f.admin, id, 'authenticate')).status).toBe(200);
    const res = await f.resume(f.admin, await f.complete(f.admin, id, 'consent'));
    expect(res.status).toBe(200);
    const page = parseFormPost(res);
    expect(page.action).toBe(CALLBACK);
    expect(page.inputs.code).toBeTruthy();
    expect(page.inputs.iss).toBe(f.url);
  });

  it('answers a POST to /authorize the same way as a GET', async ({ skip }) => {
    if (!f) return skip();
    const res = await f.admin.request({
      method: 'POST',
      path: '/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: rp.id,
        response_type: 'code',
        scope: 'openid',
        state: STATE,
        response_mode: 'fragment',
      }).toString(),
    });
    expect(new URLSearchParams(f.location(res).hash.slice(1)).get('code')).toBeTruthy();
  });
});
