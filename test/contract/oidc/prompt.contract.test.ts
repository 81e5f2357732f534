import { randomBytes, randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { hashToken } from '@latchkey/core';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { aUserBody, signInAs } from '../accounts/account-helpers.js';
import { AuthorizeFixture, authorizePath, CALLBACK, OIDC_MATRIX, pkce, STATE } from './authorize-helpers.js';

/**
 * `prompt`, `max_age`, `id_token_hint`, `ui_locales` (OIDC Core §3.1.2.1), the client's
 * `requiresReauthentication`, the interaction steps that carry them out (pocket-id-api.md §4.12), and
 * the `CLIENT_AUTHORIZATION` / `NEW_CLIENT_AUTHORIZATION` audit events.
 */
describe.each(OIDC_MATRIX)('prompt, steps and hints on %s with %s', (httpHost, dialect) => {
  let f: AuthorizeFixture | null = null;
  let rp: { id: string; name: string; secret: string };

  beforeAll(async () => {
    f = await AuthorizeFixture.start(httpHost, dialect);
    if (!f) return;
    rp = await f.createClient({ skipConsent: true });
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** A browser signed in as the admin through a session whose sign-in was `ageMs` ago. */
  const adminSignedInAgo = async (ageMs: number): Promise<Browser> => {
    const token = randomBytes(32).toString('base64url');
    const { storage } = f!.server.app;
    await storage.database.withScope(() =>
      storage.sessions.insert({
        id: randomUUID(),
        userId: f!.adminId,
        tokenHash: hashToken(token),
        amr: ['phr'],
        authTime: new Date(Date.now() - ageMs),
        expiresAt: new Date(Date.now() + 3_600_000),
        ip: null,
        userAgent: null,
      }),
    );
    const browser = f!.browser();
    browser.cookies.set('access_token', token);
    return browser;
  };
  const codeRow = async (code: string) => {
    const { storage } = f!.server.app;
    return storage.database.withScope(
      async () => (await storage.authorizationCodes.redeem(hashToken(code), new Date()))?.code,
    );
  };
  const redirected = (res: Parameters<AuthorizeFixture['location']>[0]) => {
    const url = f!.location(res);
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    expect(url.searchParams.get('iss')).toBe(f!.url);
    expect(url.searchParams.get('state')).toBe(STATE);
    return url.searchParams;
  };
  const idToken = (claims: Record<string, unknown>, options: { expiredAgoS?: number } = {}) => {
    const iat = Math.floor(Date.now() / 1000) - (options.expiredAgoS ? options.expiredAgoS + 3600 : 0);
    return f!.server.app.keys.sign(
      { iss: f!.url, sub: f!.adminId, aud: rp.id, type: 'id-token', iat, ...claims },
      { typ: 'JWT', expiresIn: 3600 },
    );
  };
  const steps = async (browser: Browser, path: string) => {
    const id = f!.interactionOf(await browser.get(path));
    const shown = await browser.get(`/api/oidc/interactions/${id}`);
    expect(shown.status).toBe(200);
    return { id, view: shown.json() };
  };

  it('prompt=none answers login_required, consent_required or interaction_required instead of a page', async ({
    skip,
  }) => {
    if (!f) return skip();
    expect(
      redirected(await f.browser().get(authorizePath({ client_id: rp.id, prompt: 'none' }))).get('error'),
    ).toBe('login_required');
    const consenting = await f.createClient();
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: consenting.id, prompt: 'none' }))).get('error'),
    ).toBe('consent_required');
    const strict = await f.createClient({ skipConsent: true, requiresReauthentication: true });
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: strict.id, prompt: 'none' }))).get('error'),
    ).toBe('interaction_required');
    const stale = await adminSignedInAgo(2 * 3_600_000);
    expect(
      redirected(await stale.get(authorizePath({ client_id: rp.id, prompt: 'none', max_age: '3600' }))).get(
        'error',
      ),
    ).toBe('login_required');
    // Nothing stands in the way: a code, silently.
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: rp.id, prompt: 'none' }))).get('code'),
    ).toBeTruthy();

    // A group-restricted client tells the client, not a page.
    const restricted = await f.createClient({ skipConsent: true, isGroupRestricted: true });
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: restricted.id, prompt: 'none' }))).get('error'),
    ).toBe('access_denied');
  });

  it('prompt=login asks for the passkey again, and the code reports that sign-in', async ({ skip }) => {
    if (!f) return skip();
    const { id, view } = await steps(f.admin, authorizePath({ client_id: rp.id, prompt: 'login' }));
    expect(view).toMatchObject({ currentStep: 'reauthenticate', requiredSteps: ['reauthenticate'] });

    const missing = await f.complete(f.admin, id, 'reauthenticate');
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'reauthenticationToken', code: 'required' }],
    });
    const forged = new Browser(f.url);
    for (const [k, v] of f.admin.cookies) forged.cookies.set(k, v);
    forged.cookies.set('reauthentication_token', 'A'.repeat(32));
    const refused = await f.complete(forged, id, 'reauthenticate');
    expect(refused.status).toBe(401);
    expect(refused.json().code).toBe('reauthentication_required');

    const before = Date.now();
    await f.reauthenticate(f.admin);
    const done = await f.complete(f.admin, id, 'reauthenticate');
    expect(String(done.headers['set-cookie'])).toMatch(/reauthentication_token=; Path=\/; Max-Age=0/);
    const code = redirected(await f.resume(f.admin, done)).get('code')!;
    const row = await codeRow(code);
    expect(row?.authTime.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // The setup session signed in with a login code; the re-authentication added the passkey.
    expect(row?.amr).toEqual(['otp', 'phr']);

    // The token was spent: the next prompt=login needs a new one.
    const next = await steps(f.admin, authorizePath({ client_id: rp.id, prompt: 'login' }));
    expect((await f.complete(f.admin, next.id, 'reauthenticate')).status).toBe(400);
  });

  it('max_age older than the sign-in asks for the passkey again; openid-client then accepts auth_time', async ({
    skip,
  }) => {
    if (!f) return skip();
    const stale = await adminSignedInAgo(2 * 3_600_000);
    const config = await client.discovery(new URL(f.url), rp.id, rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { verifier, challenge } = pkce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: STATE,
      max_age: '600',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const { id, view } = await steps(stale, url.pathname + url.search);
    expect(view.requiredSteps).toEqual(['reauthenticate']);
    await f.reauthenticate(stale);
    const answer = f.location(await f.resume(stale, await f.complete(stale, id, 'reauthenticate')));
    const tokens = await client.authorizationCodeGrant(config, answer, {
      pkceCodeVerifier: verifier,
      expectedState: STATE,
      maxAge: 600,
    });
    expect(Date.now() / 1000 - (tokens.claims()!.auth_time as number)).toBeLessThan(60);

    // A recent enough sign-in passes max_age without a step.
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: rp.id, max_age: '3600' }))).get('code'),
    ).toBeTruthy();
  });

  it("a client's requiresReauthentication adds the step every time, also after signing in", async ({
    skip,
  }) => {
    if (!f) return skip();
    const strict = await f.createClient({ requiresReauthentication: true });
    const signedIn = await steps(f.admin, authorizePath({ client_id: strict.id }));
    expect(signedIn.view.requiredSteps).toEqual(['reauthenticate', 'consent']);
    expect(signedIn.view.client).toMatchObject({ id: strict.id, requiresReauthentication: true });

    const anonymous = await steps(f.browser(), authorizePath({ client_id: strict.id }));
    expect(anonymous.view.requiredSteps).toEqual(['authenticate', 'reauthenticate', 'consent']);
    expect((await f.complete(f.admin, anonymous.id, 'authenticate')).json().interaction).toMatchObject({
      currentStep: 'reauthenticate',
    });
    expect((await f.complete(f.admin, anonymous.id, 'consent')).status).toBe(400);
    await f.reauthenticate(f.admin);
    expect((await f.complete(f.admin, anonymous.id, 'reauthenticate')).status).toBe(200);
    const answer = await f.resume(f.admin, await f.complete(f.admin, anonymous.id, 'consent'));
    expect(redirected(answer).get('code')).toBeTruthy();
  });

  it('prompt=consent asks again even when consent is remembered', async ({ skip }) => {
    if (!f) return skip();
    const { view } = await steps(f.admin, authorizePath({ client_id: rp.id, prompt: 'consent' }));
    expect(view.requiredSteps).toEqual(['consent']);
  });

  it('prompt=select_account shows who is signed in and lets someone else continue instead', async ({
    skip,
  }) => {
    if (!f) return skip();
    const me = (await f.admin.get('/api/users/me')).json();
    const { id, view } = await steps(f.admin, authorizePath({ client_id: rp.id, prompt: 'select_account' }));
    expect(view).toMatchObject({
      currentStep: 'select_account',
      requiredSteps: ['select_account'],
      signedInUser: {
        id: f.adminId,
        username: me.username,
        displayName: me.displayName,
        email: me.email,
        profilePictureURL: `/api/users/${f.adminId}/profile-picture.png`,
      },
    });
    // The page does not learn anyone's identity from someone else's cookie.
    expect((await f.browser().get(`/api/oidc/interactions/${id}`)).json().signedInUser).toBeNull();

    // The person switches: signs in as someone else, who continues.
    const otherId = (await f.admin.post('/api/users', aUserBody())).json().id as string;
    const other = await signInAs(f.server, otherId);
    expect((await other.get(`/api/oidc/interactions/${id}`)).json().signedInUser.id).toBe(otherId);
    const done = await f.complete(other, id, 'select_account');
    // The admin's browser can no longer finish it: the interaction belongs to the other person now.
    expect(f.location(await f.admin.get(done.json().redirectUrl)).pathname).toBe('/interaction');
    const code = redirected(await f.resume(other, done)).get('code')!;
    expect((await codeRow(code))?.userId).toBe(otherId);

    // Confirming the signed-in account works the same.
    const mine = await steps(f.admin, authorizePath({ client_id: rp.id, prompt: 'select_account' }));
    const confirmed = await f.resume(f.admin, await f.complete(f.admin, mine.id, 'select_account'));
    expect((await codeRow(redirected(confirmed).get('code')!))?.userId).toBe(f.adminId);
  });

  it('checks id_token_hint: ours (expired too) for this client; someone else means select_account', async ({
    skip,
  }) => {
    if (!f) return skip();
    const mine = await idToken({});
    expect(
      redirected(await f.admin.get(authorizePath({ client_id: rp.id, id_token_hint: mine }))).get('code'),
    ).toBeTruthy();
    const expired = await idToken({}, { expiredAgoS: 86_400 });
    expect(
      redirected(
        await f.admin.get(authorizePath({ client_id: rp.id, id_token_hint: expired, prompt: 'none' })),
      ).get('code'),
    ).toBeTruthy();

    const someoneElse = await idToken({ sub: randomUUID() });
    const { view } = await steps(f.admin, authorizePath({ client_id: rp.id, id_token_hint: someoneElse }));
    expect(view.requiredSteps).toEqual(['select_account']);
    expect(
      redirected(
        await f.admin.get(authorizePath({ client_id: rp.id, id_token_hint: someoneElse, prompt: 'none' })),
      ).get('error'),
    ).toBe('login_required');

    const foreignKey = (await generateKeyPair('ES256')).privateKey;
    const forged = await new SignJWT({ iss: f.url, sub: f.adminId, aud: rp.id, type: 'id-token' })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'forged' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(foreignKey);
    const otherClient = await f.createClient({ skipConsent: true });
    const accessToken = await f.server.app.keys.sign(
      { iss: f.url, sub: f.adminId, aud: rp.id, client_id: rp.id },
      { typ: 'at+jwt', expiresIn: 3600 },
    );
    for (const hint of [
      'not-a-jwt',
      forged,
      await idToken({ iss: 'https://elsewhere.example.com' }),
      await idToken({ aud: otherClient.id }),
      accessToken,
    ]) {
      const params = redirected(await f.admin.get(authorizePath({ client_id: rp.id, id_token_hint: hint })));
      expect(params.get('error')).toBe('invalid_request');
    }
  });

  it('gives the interaction page what it shows: client, logo, scopes, steps, ui_locales', async ({
    skip,
  }) => {
    if (!f) return skip();
    const consenting = await f.createClient();
    const { id, view } = await steps(
      f.browser(),
      authorizePath({
        client_id: consenting.id,
        scope: 'openid email',
        ui_locales: 'de-CH fr en_US_bad x',
      }),
    );
    expect(view).toEqual({
      id,
      client: {
        id: consenting.id,
        name: consenting.name,
        description: null,
        hasLogo: false,
        hasDarkLogo: false,
        launchURL: null,
        requiresReauthentication: false,
        clientType: 'standard',
      },
      logoURL: null,
      darkLogoURL: null,
      scopes: ['openid', 'email'],
      scopeInfo: [],
      currentStep: 'authenticate',
      requiredSteps: ['authenticate', 'consent'],
      completedSteps: [],
      uiLocales: ['de-CH', 'fr'],
      signedInUser: null,
    });
    for (const missing of ['00000000-0000-4000-8000-000000000000', 'not-an-id', 'x'.repeat(300)]) {
      const res = await f.browser().get(`/api/oidc/interactions/${missing}`);
      expect(res.status).toBe(404);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'not_found', details: { resource: 'OIDC interaction' } });
    }
    expect((await f.complete(f.admin, 'not-an-id', 'authenticate')).status).toBe(404);
    const unknownStep = await f.complete(f.admin, id, 'dance');
    expect(unknownStep.status).toBe(400);
    expect(unknownStep.json().code).toBe('validation_failed');
  });

  it('sends a finished interaction to /authorize only for the person who finished it', async ({ skip }) => {
    if (!f) return skip();
    const { id } = await steps(f.browser(), authorizePath({ client_id: rp.id }));
    const done = await f.complete(f.admin, id, 'authenticate');
    // Someone else's browser (or nobody's) is sent back to the page, and the code is still there.
    expect(f.location(await f.browser().get(done.json().redirectUrl)).pathname).toBe('/interaction');
    expect(redirected(await f.resume(f.admin, done)).get('code')).toBeTruthy();
    const garbage = f.location(await f.admin.get('/authorize?interaction=nope'));
    expect(garbage.pathname).toBe('/interaction/error');
  });

  it('audits NEW_CLIENT_AUTHORIZATION on first consent or new scopes, CLIENT_AUTHORIZATION after', async ({
    skip,
  }) => {
    if (!f) return skip();
    const app = await f.createClient();
    const events = async () => {
      const res = await f!.admin.get('/api/audit-logs?pagination[limit]=100');
      expect(res.status).toBe(200);
      return (res.json().data as { event: string; data: Record<string, string> }[]).filter(
        (e) => e.data.clientName === app.name,
      );
    };
    const first = await steps(f.admin, authorizePath({ client_id: app.id }));
    redirected(await f.resume(f.admin, await f.complete(f.admin, first.id, 'consent')));
    expect((await events()).map((e) => e.event)).toEqual(['NEW_CLIENT_AUTHORIZATION']);

    redirected(await f.admin.get(authorizePath({ client_id: app.id })));
    const widened = await steps(f.admin, authorizePath({ client_id: app.id, scope: 'openid profile email' }));
    redirected(await f.resume(f.admin, await f.complete(f.admin, widened.id, 'consent')));
    // Entries of one moment may list in either order: compare them as a set.
    expect((await events()).map((e) => e.event).sort()).toEqual([
      'CLIENT_AUTHORIZATION',
      'NEW_CLIENT_AUTHORIZATION',
      'NEW_CLIENT_AUTHORIZATION',
    ]);
    for (const entry of await events()) {
      expect(entry.data).toEqual({ clientName: app.name });
    }
  });
});
