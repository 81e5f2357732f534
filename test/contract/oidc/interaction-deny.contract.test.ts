import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizeFixture, authorizePath, CALLBACK, OIDC_MATRIX, STATE } from './authorize-helpers.js';

/**
 * `GET /api/oidc/interactions/:id/deny`: the person refuses on the interaction page, and the client
 * hears `access_denied` at its verified redirect URI, in the request's response mode, with `state` and
 * `iss` (RFC 6749 §4.1.2.1, RFC 9207). The interaction is gone afterwards; an unknown one goes to the
 * error page, never to a client.
 */
describe.each(OIDC_MATRIX)('interaction denial on %s with %s', (httpHost, dialect) => {
  let f: AuthorizeFixture | null = null;
  let rp: { id: string };

  beforeAll(async () => {
    f = await AuthorizeFixture.start(httpHost, dialect);
    if (!f) return;
    rp = await f.createClient();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('sends access_denied with state and iss to the redirect URI, and the interaction is gone', async ({
    skip,
  }) => {
    if (!f) return skip();
    const id = f.interactionOf(await f.admin.get(authorizePath({ client_id: rp.id })));
    expect((await f.admin.get(`/api/oidc/interactions/${id}`)).json().currentStep).toBe('consent');

    const res = await f.admin.get(`/api/oidc/interactions/${id}/deny`);
    expect(res.headers['cache-control']).toBe('no-store');
    const url = f.location(res);
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'The user refused the authorization request',
      state: STATE,
      iss: f.url,
    });

    // Refused once: nothing can be completed, resumed or refused again.
    expect((await f.admin.get(`/api/oidc/interactions/${id}`)).status).toBe(404);
    expect((await f.complete(f.admin, id, 'consent')).status).toBe(404);
    expect(f.location(await f.admin.get(`/authorize?interaction=${id}`)).pathname).toBe('/interaction/error');
    const again = f.location(await f.admin.get(`/api/oidc/interactions/${id}/deny`));
    expect(again.origin).toBe(f.url);
    expect(again.pathname).toBe('/interaction/error');
    expect(again.searchParams.get('error')).toBe('invalid_request');
  });

  it('lets someone who is not signed in refuse, in the fragment and form_post modes', async ({ skip }) => {
    if (!f) return skip();
    const anonymous = f.browser();
    const fragment = f.interactionOf(
      await anonymous.get(authorizePath({ client_id: rp.id, response_mode: 'fragment' })),
    );
    expect((await anonymous.get(`/api/oidc/interactions/${fragment}`)).json().currentStep).toBe(
      'authenticate',
    );
    const url = f.location(await anonymous.get(`/api/oidc/interactions/${fragment}/deny`));
    expect(`${url.origin}${url.pathname}${url.search}`).toBe(CALLBACK);
    expect(Object.fromEntries(new URLSearchParams(url.hash.slice(1)))).toMatchObject({
      error: 'access_denied',
      state: STATE,
      iss: f.url,
    });

    const formPost = f.interactionOf(
      await anonymous.get(authorizePath({ client_id: rp.id, response_mode: 'form_post' })),
    );
    const page = await anonymous.get(`/api/oidc/interactions/${formPost}/deny`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain(`<form method="post" action="${CALLBACK}">`);
    expect(page.text).toContain('<input type="hidden" name="error" value="access_denied">');
    expect(page.text).toContain(`<input type="hidden" name="state" value="${STATE}">`);
  });

  it('sends an unknown, malformed or changed-since interaction to the error page, never to a client', async ({
    skip,
  }) => {
    if (!f) return skip();
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const url = f.location(await f.admin.get(`/api/oidc/interactions/${id}/deny`));
      expect(url.origin).toBe(f.url);
      expect(url.pathname).toBe('/interaction/error');
      expect(url.searchParams.get('error_description')).toBe(
        'This sign-in request has expired or was already used',
      );
    }

    // The client's callback URL changed since the request: its redirect URI is no longer verified.
    const moving = await f.createClient();
    const id = f.interactionOf(await f.admin.get(authorizePath({ client_id: moving.id })));
    const client = (await f.admin.get(`/api/oidc/clients/${moving.id}`)).json();
    const changed = await f.admin.request({
      method: 'PUT',
      path: `/api/oidc/clients/${moving.id}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: client.name, callbackURLs: ['https://elsewhere.example.com/cb'] }),
    });
    expect(changed.status).toBe(200);
    const url = f.location(await f.admin.get(`/api/oidc/interactions/${id}/deny`));
    expect(url.origin).toBe(f.url);
    expect(url.pathname).toBe('/interaction/error');
  });

  it('answers a refusal racing an approval once: either the code or access_denied', async ({ skip }) => {
    if (!f) return skip();
    const id = f.interactionOf(await f.admin.get(authorizePath({ client_id: rp.id })));
    const completed = await f.complete(f.admin, id, 'consent');
    const [resumed, denied] = await Promise.all([
      f.resume(f.admin, completed),
      f.admin.get(`/api/oidc/interactions/${id}/deny`),
    ]);
    const outcomes = [f.location(resumed), f.location(denied)].map((url) =>
      url.pathname === '/interaction/error' ? 'gone' : url.searchParams.has('code') ? 'code' : 'denied',
    );
    expect(outcomes.sort()).toEqual(outcomes.includes('code') ? ['code', 'gone'] : ['denied', 'gone']);
  });
});
