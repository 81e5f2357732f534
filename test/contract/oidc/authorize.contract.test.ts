import { createHash, randomBytes } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { OIDC_MATRIX } from './authorize-helpers.js';
import { aUserBody, put, setupAdmin, signInAs } from '../accounts/account-helpers.js';

const CALLBACK = 'https://rp.example.com/cb';
const STATE = 'state-with-enough-entropy';

/** The authorize side of the code flow: the checks pipeline, interactions and code issuance. */
describe.each(OIDC_MATRIX)('authorize on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;
  let counter = 0;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    ({ browser: admin, id: adminId } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const createClient = async (overrides: Record<string, unknown> = {}) => {
    counter += 1;
    const res = await admin.post('/api/oidc/clients', {
      name: `RP ${counter}`,
      callbackURLs: [CALLBACK],
      ...overrides,
    });
    expect(res.status).toBe(201);
    return res.json() as { id: string };
  };

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  const authorizePath = (params: Record<string, string>) =>
    `/authorize?${new URLSearchParams({
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state: STATE,
      ...params,
    }).toString()}`;

  const location = (res: { status: number; headers: Record<string, unknown> }) => {
    expect(res.status).toBe(302);
    return new URL(String(res.headers.location), server!.url);
  };

  const codeRow = (code: string) =>
    server!.app.storage.database.withScope(async () => {
      const codes = server!.app.storage.authorizationCodes;
      return codes.redeem(hashToken(code), new Date());
    });

  it('shows unknown clients and unregistered redirect URIs the error page, never the RP', async ({
    skip,
  }) => {
    if (!server) return skip();
    const anonymous = new Browser(server.url);
    const unknown = location(await anonymous.get(authorizePath({ client_id: 'no-such-client' })));
    expect(unknown.pathname).toBe('/interaction/error');
    expect(unknown.searchParams.get('error')).toBe('invalid_client');

    const client = await createClient();
    const wrong = location(
      await anonymous.get(
        authorizePath({ client_id: client.id, redirect_uri: 'https://evil.example.com/cb' }),
      ),
    );
    expect(wrong.origin).toBe(server.url);
    expect(wrong.pathname).toBe('/interaction/error');
    expect(wrong.searchParams.get('error')).toBe('invalid_request');
  });

  it('redirects errors found after the redirect URI is verified to the RP, with state and iss', async ({
    skip,
  }) => {
    if (!server) return skip();
    const anonymous = new Browser(server.url);
    const client = await createClient({ isPublic: true });
    const noPkce = location(await anonymous.get(authorizePath({ client_id: client.id })));
    expect(`${noPkce.origin}${noPkce.pathname}`).toBe(CALLBACK);
    expect(noPkce.searchParams.get('error')).toBe('invalid_request');
    expect(noPkce.searchParams.get('state')).toBe(STATE);
    expect(noPkce.searchParams.get('iss')).toBe(server.url);

    const badType = location(
      await anonymous.get(
        authorizePath({
          client_id: client.id,
          response_type: 'token',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      ),
    );
    expect(badType.searchParams.get('error')).toBe('unsupported_response_type');
    const resource = location(
      await anonymous.get(
        authorizePath({
          client_id: client.id,
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
          resource: 'https://api.example.com',
        }),
      ),
    );
    expect(resource.searchParams.get('error')).toBe('invalid_target');

    const none = location(
      await anonymous.get(
        authorizePath({
          client_id: client.id,
          prompt: 'none',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      ),
    );
    expect(`${none.origin}${none.pathname}`).toBe(CALLBACK);
    expect(none.searchParams.get('error')).toBe('login_required');
    expect(none.searchParams.get('state')).toBe(STATE);
    expect(none.searchParams.get('iss')).toBe(server.url);
  });

  it('runs an anonymous request through the interaction, then skips it once consent is remembered', async ({
    skip,
  }) => {
    if (!server) return skip();
    const client = await createClient();
    const { challenge } = pkce();
    const rp = new Browser(server.url);
    const params = {
      client_id: client.id,
      nonce: 'nonce-with-entropy',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const toInteraction = location(await rp.get(authorizePath(params)));
    expect(toInteraction.pathname).toBe('/interaction');
    const id = toInteraction.searchParams.get('interaction')!;
    expect(id).toBeTruthy();

    const shown = await rp.get(`/api/oidc/interactions/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.json()).toMatchObject({
      id,
      client: { id: client.id, name: expect.any(String), hasLogo: false },
      scopes: ['openid', 'profile'],
      scopeInfo: [],
      currentStep: 'authenticate',
      requiredSteps: ['authenticate', 'consent'],
      completedSteps: [],
    });
    const missing = await rp.get('/api/oidc/interactions/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found', details: { resource: 'OIDC interaction' } });

    // Anonymous callers cannot complete a step.
    expect((await rp.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' })).status).toBe(
      401,
    );

    // The admin browser carries the sign-in cookie: it completes the steps in order.
    const outOfOrder = await admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
    expect(outOfOrder.status).toBe(400);
    const authenticated = await admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' });
    expect(authenticated.status).toBe(200);
    expect(authenticated.json().interaction).toMatchObject({
      currentStep: 'consent',
      completedSteps: ['authenticate'],
    });
    const consented = await admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
    expect(consented.status).toBe(200);
    // As Pocket ID: the page goes back to /authorize, which answers in the request's response mode.
    expect(consented.json()).toEqual({ redirectUrl: `/authorize?interaction=${id}` });
    const redirect = location(await admin.get(consented.json().redirectUrl));
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK);
    expect(redirect.searchParams.get('state')).toBe(STATE);
    expect(redirect.searchParams.get('iss')).toBe(server.url);
    const code = redirect.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Completing or resuming again issues nothing: the interaction is gone.
    const again = await admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
    expect(again.status).toBe(404);
    const resumedAgain = location(await admin.get(`/authorize?interaction=${id}`));
    expect(resumedAgain.pathname).toBe('/interaction/error');

    const row = await codeRow(code);
    expect(row?.first).toBe(true);
    expect(row?.code).toMatchObject({
      clientId: client.id,
      userId: adminId,
      redirectUri: CALLBACK,
      scope: 'openid profile',
      nonce: 'nonce-with-entropy',
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      amr: expect.any(Array),
    });

    // Consent is remembered: the next request answers with a code right away.
    const direct = location(await admin.get(authorizePath({ ...params, code_challenge: pkce().challenge })));
    expect(`${direct.origin}${direct.pathname}`).toBe(CALLBACK);
    expect(direct.searchParams.get('code')).toBeTruthy();
    expect(direct.searchParams.get('iss')).toBe(server.url);
    expect((await codeRow(direct.searchParams.get('code')!))?.first).toBe(true);

    // prompt=consent asks again; a new scope asks again; prompt=none then answers consent_required.
    const forced = location(await admin.get(authorizePath({ ...params, prompt: 'consent' })));
    expect(forced.pathname).toBe('/interaction');
    const widened = location(
      await admin.get(authorizePath({ ...params, scope: 'openid email', prompt: 'none' })),
    );
    expect(widened.searchParams.get('error')).toBe('consent_required');
  });

  it('issues a code at once for a signed-in person on a skipConsent client, also by form POST', async ({
    skip,
  }) => {
    if (!server) return skip();
    const client = await createClient({ skipConsent: true });
    const res = await admin.request({
      method: 'POST',
      path: '/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: client.id,
        response_type: 'code',
        scope: 'openid',
        state: STATE,
      }).toString(),
    });
    // redirect_uri omitted: the single registered callback is used (Pocket ID).
    const direct = location(res);
    expect(`${direct.origin}${direct.pathname}`).toBe(CALLBACK);
    expect(direct.searchParams.get('code')).toBeTruthy();
  });

  it('refuses people outside a group-restricted client', async ({ skip }) => {
    if (!server) return skip();
    const client = await createClient({ isGroupRestricted: true, skipConsent: true });
    const group = await admin.post('/api/user-groups', { name: `g${counter}`, friendlyName: 'Allowed' });
    expect(group.status).toBe(201);
    expect(
      (
        await put(admin, `/api/oidc/clients/${client.id}/allowed-user-groups`, {
          userGroupIds: [group.json().id],
        })
      ).status,
    ).toBe(200);
    const outsider = await signInAs(server, (await admin.post('/api/users', aUserBody())).json().id);
    const denied = location(await outsider.get(authorizePath({ client_id: client.id })));
    expect(denied.pathname).toBe('/interaction/error');
    expect(denied.searchParams.get('error')).toBe('access_denied');

    // The same denial through the interaction API.
    const pending = location(await new Browser(server.url).get(authorizePath({ client_id: client.id })));
    const id = pending.searchParams.get('interaction')!;
    const res = await outsider.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' });
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('oidc_access_denied');
  });

  it('completes nothing for a person the page did not show, and shows a newcomer their own steps', async ({
    skip,
  }) => {
    if (!server) return skip();
    const client = await createClient();
    const pending = location(await new Browser(server.url).get(authorizePath({ client_id: client.id })));
    const id = pending.searchParams.get('interaction')!;
    // The admin signs in on the page and reaches consent.
    const first = await admin.post(`/api/oidc/interactions/${id}/complete`, {
      step: 'authenticate',
      userId: adminId,
    });
    expect(first.json().interaction).toMatchObject({ currentStep: 'consent' });

    // Someone else signs in in another tab of the same browser: a click meant for the admin is refused.
    const other = (await admin.post('/api/users', aUserBody())).json();
    const otherTab = await signInAs(server, other.id);
    const refused = await otherTab.post(`/api/oidc/interactions/${id}/complete`, {
      step: 'consent',
      userId: adminId,
    });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'interaction_user_changed' });
    // Nothing moved: the admin still sees their own request, one step from done.
    expect((await admin.get(`/api/oidc/interactions/${id}`)).json()).toMatchObject({
      currentStep: 'consent',
      completedSteps: ['authenticate'],
      signedInUser: { id: adminId },
    });

    // The newcomer is shown the steps a takeover by them needs: the admin's are not theirs, so they start
    // over, and their own consent is still to give.
    const asNewcomer = (await otherTab.get(`/api/oidc/interactions/${id}`)).json();
    expect(asNewcomer).toMatchObject({
      currentStep: 'authenticate',
      requiredSteps: ['authenticate', 'consent'],
      completedSteps: [],
      signedInUser: { id: other.id },
    });
    // The steps shown are the ones `complete` expects from them, in that order.
    const step1 = await otherTab.post(`/api/oidc/interactions/${id}/complete`, {
      step: 'authenticate',
      userId: other.id,
    });
    expect(step1.json().interaction).toMatchObject({ currentStep: 'consent' });
    const theirs = await otherTab.post(`/api/oidc/interactions/${id}/complete`, {
      step: 'consent',
      userId: other.id,
    });
    expect(theirs.json()).toEqual({ redirectUrl: `/authorize?interaction=${id}` });
    const code = location(await otherTab.get(theirs.json().redirectUrl)).searchParams.get('code')!;
    expect((await codeRow(code))?.code.userId).toBe(other.id);
  });

  it('issues one code when the same interaction is resumed twice at once', async ({ skip }) => {
    if (!server) return skip();
    const client = await createClient({ skipConsent: true });
    const pending = location(await new Browser(server.url).get(authorizePath({ client_id: client.id })));
    const id = pending.searchParams.get('interaction')!;
    // Before its steps are done, /authorize?interaction= sends the browser back to the page.
    const early = location(await admin.get(`/authorize?interaction=${id}`));
    expect(early.pathname).toBe('/interaction');
    const done = await admin.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' });
    expect(done.json()).toEqual({ redirectUrl: `/authorize?interaction=${id}` });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => admin.get(`/authorize?interaction=${id}`)),
    );
    const codes = results.map(location).filter((url) => url.searchParams.get('code'));
    expect(codes).toHaveLength(1);
    expect(results.map(location).filter((url) => url.pathname === '/interaction/error')).toHaveLength(4);
  });

  it('advertises the authorization endpoint in discovery', async ({ skip }) => {
    if (!server) return skip();
    const doc = (await new Browser(server.url).get('/.well-known/openid-configuration')).json();
    expect(doc).toMatchObject({
      authorization_endpoint: `${server.url}/authorize`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: ['S256', 'plain'],
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      request_parameter_supported: true,
      request_object_signing_alg_values_supported: ['none'],
      request_uri_parameter_supported: false,
      claims_parameter_supported: true,
      pushed_authorization_request_endpoint: `${server.url}/api/oidc/par`,
      require_pushed_authorization_requests: false,
    });
  });
});
