import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  launchBrowser,
  openSession,
  type BrowserSession,
  type VirtualCredential,
  watchJourneys,
} from '../support/browser-harness.js';
import { startRelyingParty, type RelyingParty } from '../support/oidc-app.js';
import { startServer, type TestServer } from '../support/server.js';
import {
  ADMIN,
  aLogo,
  allow,
  backAt,
  claimShown,
  createClient,
  createLoginCode,
  enterLoginCode,
  pressPasskeyButton,
  setUpAdmin,
  signedIn,
  signOut,
  signUpWithLink,
  uploadLogo,
  type Person,
} from '../support/ui-journeys.js';

/**
 * The authorization pages in a real browser, with a real relying party: a small `openid-client` app on
 * a loopback port (test/support/oidc-app.ts). On both HTTP hosts (SQLite). Journeys (issue 13):
 *
 * - 2: the app sends the browser to Latchkey, the person signs in with a passkey on `/interaction`,
 *   allows the app on the consent page, and the app shows their claims;
 * - 3: sign out through end-session with `id_token_hint` (back to the app, the session gone) and
 *   without (the `/logout` page, confirmed);
 * - 8: someone outside a client's allowed groups sees the denial page;
 * - "use another account" for `prompt=select_account`: signed in as Ada, Bob's passkey, Bob's claims;
 * - someone else signing in (another tab) while the page shows Ada: nothing is completed for Bob
 *   until the page has shown him;
 * - plus denying consent, a double click on Allow, re-authentication, account selection, the error
 *   page's cases and an unknown interaction.
 *
 * The tests of one host share one browser session and run in order (the passkey made at setup lives
 * in its virtual authenticator); each still fails on its own unexpected browser errors.
 */
const hosts = ['fastify', 'express'] as const;

const BOB: Person = { firstName: 'Bob', lastName: 'Baker', username: 'bob', email: 'bob@example.com' };

let browser: Browser | undefined;
watchJourneys(() => browser);
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(hosts)('the authorization pages on %s', (httpHost) => {
  let server: TestServer;
  let session: BrowserSession;
  let app: RelyingParty;
  let client: { id: string; secret?: string };
  let adminId: string;
  /** Bob, who signs up in the "Use another account" test. */
  let bobId: string;
  const shoot = (name: string) => (httpHost === 'fastify' ? session.screenshot(name) : Promise.resolve());

  beforeAll(async () => {
    if (!browser) return;
    server = await startServer({ httpHost, dialect: 'sqlite' });
    session = await openSession(browser, server.url);
    app = await startRelyingParty('Grafana');
    adminId = await setUpAdmin(session);
    client = await createClient(session, {
      name: 'Grafana',
      callbackURLs: [app.callbackUrl],
      logoutCallbackURLs: [app.postLogoutUrl],
    });
    await uploadLogo(session, client.id, aLogo('#f46800', '#ffffff'), true);
    await uploadLogo(session, client.id, aLogo('#ffffff', '#f46800'), false);
    await app.connect({ issuer: server.url, clientId: client.id, clientSecret: client.secret });
    session.assertClean();
  });
  afterAll(async () => {
    await session?.close();
    await app?.stop();
    await server?.stop();
  });

  /** Another app at Latchkey, on its own loopback port, registered and connected. */
  const anotherApp = async (name: string, settings: Record<string, unknown> = {}) => {
    const other = await startRelyingParty(name);
    const registered = await createClient(session, {
      name,
      callbackURLs: [other.callbackUrl],
      logoutCallbackURLs: [other.postLogoutUrl],
      ...settings,
    });
    await other.connect({ issuer: server.url, clientId: registered.id, clientSecret: registered.secret });
    return { app: other, client: registered };
  };

  const signInOnLoginPage = async () => {
    await session.goto('/login');
    await pressPasskeyButton(session, () => session.page.waitForURL((url) => url.pathname !== '/login'));
    await session.settle();
  };

  const claim = (name: string) => claimShown(session.page, name);

  it('journey 2: signs in to a real app with a passkey on /interaction, through consent, and the app shows the claims', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await signOut(session);

    await session.goto(`${app.origin}/login`);
    await page.waitForURL((url) => url.pathname === '/interaction' && url.origin === server.url);
    await page.getByRole('heading', { name: 'Sign in to Grafana' }).waitFor();
    await session.waitForPendingAutofill();
    await shoot('interaction-sign-in');

    await pressPasskeyButton(session, () =>
      page.getByRole('heading', { name: 'Authorize Grafana' }).waitFor(),
    );
    // The client's logo in the page's colour scheme, each scope in plain words, and who is signed in.
    const logo = page.locator('.app-and-client img.client-mark').nth(1);
    expect(await logo.getAttribute('src')).toBe(`/api/oidc/clients/${client.id}/logo`);
    const scopes = page.getByTestId('scopes');
    expect(
      await scopes.locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-scope'))),
    ).toEqual(['openid', 'profile', 'email']);
    expect(await scopes.textContent()).toContain('Your email address');
    expect(await page.getByTestId('signed-in-name').textContent()).toBe('Ada Lovelace');
    await session.settle();
    await shoot('interaction-consent');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => logo.getAttribute('src')).toBe(`/api/oidc/clients/${client.id}/logo?light=false`);
    // Loaded before the scheme switches back (which would abort it). Runs in the page: no DOM types here.
    await expect.poll(() => logo.evaluate((img: any) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });

    await allow(page, app);
    await page.getByRole('heading', { name: 'Welcome to Grafana' }).waitFor();
    expect(await claim('sub')).toBe(adminId);
    expect(await claim('email')).toBe(ADMIN.email);
    expect(await claim('name')).toBe('Ada Lovelace');
    expect(await claim('preferred_username')).toBe(ADMIN.username);
    expect(await claim('iss')).toBe(server.url);
    expect(await page.getByTestId('rp-user').textContent()).toBe('Ada Lovelace');
    session.assertClean();
  });

  it('journey 3: signs out through end-session with id_token_hint, back to the app, the session gone', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    expect(await signedIn(session)).toBe(true);
    await session.goto(`${app.origin}/logout`);
    await page.waitForURL((url) => url.origin === app.origin && url.pathname === '/signed-out');
    await page.getByRole('heading', { name: 'Signed out of Grafana' }).waitFor();
    expect(await page.getByTestId('rp-state').textContent()).toBe('after-logout');
    expect(await signedIn(session)).toBe(false);
    session.assertClean();
  });

  it('journey 3: without id_token_hint, the /logout page asks, and signing out goes back to the app', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    // Signed in again through the app: consent is remembered now, so the passkey is all it takes.
    await session.goto(`${app.origin}/login`);
    await page.getByRole('heading', { name: 'Sign in to Grafana' }).waitFor();
    await pressPasskeyButton(session, () => backAt(page, app));
    expect(await claim('sub')).toBe(adminId);

    await session.goto(`${app.origin}/logout-without-hint`);
    await page.waitForURL((url) => url.origin === server.url && url.pathname === '/logout');
    await page.getByRole('heading', { name: 'Sign out of Grafana?' }).waitFor();
    expect(await signedIn(session)).toBe(true);
    await session.settle();
    await shoot('logout-confirm');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === app.origin && url.pathname === '/signed-out');
    expect(await page.getByTestId('rp-state').textContent()).toBe('after-confirmed-logout');
    expect(await signedIn(session)).toBe(false);

    // Nobody is signed in now: the page says so, and offers only the verified way back.
    session.expect({ path: '/api/users/me', status: 401 });
    await session.goto(`/logout?client_id=${client.id}`);
    await page.getByRole('heading', { name: 'You are not signed in' }).waitFor();
    expect(await page.getByRole('link', { name: 'Return to Grafana' }).getAttribute('href')).toBe(
      app.postLogoutUrl,
    );
    await shoot('logout-nobody');
    session.assertClean();
  });

  it('never follows a return address typed into the /logout page that the server did not verify', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await signInOnLoginPage();
    await session.goto(
      `/logout?client_id=${client.id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}&state=x`,
    );
    await page.getByRole('heading', { name: 'Sign out of Grafana?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Not evil.example: the server verifies nothing of it, so there is no way back to offer.
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(new URL(page.url()).origin).toBe(server.url);
    expect(await signedIn(session)).toBe(false);
    await shoot('logout-done');
    session.assertClean();
  });

  it('sends access_denied back to the app when the person denies consent', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    await signInOnLoginPage();
    const other = await anotherApp('Wiki');
    try {
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: 'Authorize Wiki' }).waitFor();
      // No logo: the first letter of the name stands in.
      expect(await page.locator('.client-mark.monogram').textContent()).toBe('W');
      await page.getByRole('button', { name: 'Deny' }).click();
      await backAt(page, other.app);
      expect(await page.locator('[data-error]').getAttribute('data-error')).toBe('access_denied');
      // Still signed in to Latchkey: only this app was refused.
      expect(await signedIn(session)).toBe(true);
      session.assertClean();
    } finally {
      await other.app.stop();
    }
  });

  it('sends one request when Allow is double-clicked', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    const other = await anotherApp('Chat');
    try {
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: 'Authorize Chat' }).waitFor();
      const completions: string[] = [];
      page.on('request', (request) => {
        if (/\/api\/oidc\/interactions\/[^/]+\/complete$/.test(request.url()))
          completions.push(request.url());
      });
      await page.getByRole('button', { name: 'Allow' }).dblclick();
      await backAt(page, other.app);
      expect(await claim('sub')).toBe(adminId);
      expect(completions).toHaveLength(1);
      session.assertClean();
    } finally {
      await other.app.stop();
    }
  });

  it('asks for the passkey again for a client that requires re-authentication', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    const other = await anotherApp('Vault', { requiresReauthentication: true });
    try {
      // Signed in already: the page asks for the passkey again.
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: "Confirm it's you" }).waitFor();
      await shoot('interaction-reauthenticate');
      await session.withPresence(async () => {
        await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
        await page.getByRole('heading', { name: 'Authorize Vault' }).waitFor();
      });
      await allow(page, other.app);
      expect(await claim('sub')).toBe(adminId);

      // Signed out: the passkey sign-in on the page counts, without a second prompt.
      await signOut(session);
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: 'Sign in to Vault' }).waitFor();
      await pressPasskeyButton(session, () => backAt(page, other.app));
      expect(await claim('sub')).toBe(adminId);
      expect(await claim('amr')).toContain('phr');
      session.assertClean();
    } finally {
      await other.app.stop();
    }
  });

  it('lets the person confirm the account for prompt=select_account', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.goto(`${app.origin}/login?prompt=select_account`);
    await page.getByRole('heading', { name: 'Continue to Grafana' }).waitFor();
    expect(await page.getByRole('button', { name: 'Use another account' }).isEnabled()).toBe(true);
    await session.settle();
    await shoot('interaction-select-account');
    await page.getByRole('button', { name: 'Continue as Ada Lovelace' }).click();
    await backAt(page, app);
    expect(await claim('sub')).toBe(adminId);
    session.assertClean();
  });

  it('"Use another account" for prompt=select_account: signed in as Ada, Bob signs in with his passkey and the app gets Bob', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    expect(await signedIn(session)).toBe(true);
    // Bob signs up in his own browser, with a link from Ada (an admin); his passkey is on a security key
    // that he then plugs into the computer where Ada is signed in.
    await session.settle();
    const link = await page.request.post('/api/signup-tokens', { data: { usageLimit: 1, ttl: '1h' } });
    expect(link.status()).toBe(201);
    const bobs = await openSession(browser, server.url);
    let bobsPasskeys: VirtualCredential[];
    try {
      bobId = await signUpWithLink(bobs, ((await link.json()) as { token: string }).token, BOB);
      bobsPasskeys = await bobs.credentials();
      bobs.assertClean();
    } finally {
      await bobs.close();
    }
    const unplug = await session.plugInSecurityKey(bobsPasskeys);
    try {
      await session.goto(`${app.origin}/login?prompt=select_account`);
      await page.getByRole('heading', { name: 'Continue to Grafana' }).waitFor();
      expect(await page.getByTestId('signed-in-name').textContent()).toBe('Ada Lovelace');
      await page.getByRole('button', { name: 'Use another account' }).click();
      // The same request goes on as Bob, who has never allowed Grafana: its consent page, for him.
      await page.getByRole('heading', { name: 'Authorize Grafana' }).waitFor();
      expect(await page.getByTestId('signed-in-name').textContent()).toBe('Bob Baker');
      await session.settle();
      await shoot('interaction-another-account-consent');
      await allow(page, app);
    } finally {
      await unplug();
    }
    expect(await claim('sub')).toBe(bobId);
    expect(await claim('preferred_username')).toBe(BOB.username);
    expect(await claim('email')).toBe(BOB.email);
    expect(await claim('name')).toBe('Bob Baker');
    session.assertClean();

    // Ada again, for the tests after this one.
    await signOut(session);
    await signInOnLoginPage();
    const me = await page.request.get('/api/users/me');
    expect(((await me.json()) as { id: string }).id).toBe(adminId);
  });

  it('completes nothing for the person it shows when someone else signed in meanwhile, and says so', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.settle();
    const code = await page.request.post(`/api/users/${bobId}/one-time-access-token`, { data: {} });
    expect(code.status()).toBe(201);
    const other = await anotherApp('Notes');
    try {
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: 'Authorize Notes' }).waitFor();
      expect(await page.getByTestId('signed-in-name').textContent()).toBe('Ada Lovelace');

      // Bob signs in with a login code in another tab of the same browser.
      const tab = await session.context.newPage();
      await tab.goto(`/lc/${((await code.json()) as { token: string }).token}`);
      await tab.getByRole('button', { name: 'Continue' }).click();
      await tab.waitForURL((url) => url.pathname === '/');
      await tab.close();

      // Allow, pressed for Ada, allows nothing for Bob: the page shows the request for him, and says why.
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('status').filter({ hasText: 'it is Bob Baker now' }).waitFor();
      expect(await page.getByTestId('signed-in-name').textContent()).toBe('Bob Baker');
      expect(new URL(page.url()).origin).toBe(server.url);
      const consent = () =>
        server.app.storage.database.withScope(() => server.app.storage.consents.find(bobId, other.client.id));
      expect(await consent()).toBeNull();
      await session.settle();
      await shoot('interaction-person-changed');

      // Bob, now shown, allows it himself.
      await allow(page, other.app);
      expect(await claim('sub')).toBe(bobId);
      expect(await consent()).not.toBeNull();
      session.assertClean();
    } finally {
      await other.app.stop();
    }
    await signOut(session);
    await signInOnLoginPage();
  });

  it('journey 8: someone outside the allowed groups sees the denial page, signed in or signing in', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const group = await page.request.post('/api/user-groups', {
      data: { name: `finance-${randomUUID().slice(0, 6)}`, friendlyName: 'Finance' },
    });
    expect(group.status()).toBe(201);
    const other = await anotherApp('Payroll', { isGroupRestricted: true });
    try {
      const allowed = await page.request.put(`/api/oidc/clients/${other.client.id}/allowed-user-groups`, {
        data: { userGroupIds: [((await group.json()) as { id: string }).id] },
      });
      expect(allowed.status()).toBe(200);

      // Signed in: /authorize itself refuses, on the error page.
      await session.goto(`${other.app.origin}/login`);
      await page.waitForURL((url) => url.origin === server.url && url.pathname === '/interaction/error');
      await page.getByRole('heading', { name: "You can't use this app" }).waitFor();
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      expect(await page.getByTestId('error-facts').textContent()).toContain('access_denied');
      await shoot('interaction-error-denied');

      // Signing in on the page: the step is refused once it is known who signs in.
      await signOut(session);
      session.expect({ path: /^\/api\/oidc\/interactions\/[^/]+\/complete$/, status: 403 });
      await session.goto(`${other.app.origin}/login`);
      await page.getByRole('heading', { name: 'Sign in to Payroll' }).waitFor();
      await pressPasskeyButton(session, () =>
        page.getByRole('heading', { name: "You can't use Payroll" }).waitFor(),
      );
      expect(new URL(page.url()).origin).toBe(server.url);
      await shoot('interaction-denied');
      session.assertClean();
    } finally {
      await other.app.stop();
    }
  });

  it('explains an unknown client and a wrong redirect URI in plain words, linking only home', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.goto(
      `/authorize?client_id=no-such-app&response_type=code&redirect_uri=${encodeURIComponent(app.callbackUrl)}`,
    );
    await page.waitForURL((url) => url.pathname === '/interaction/error');
    await page.getByRole('heading', { name: 'Unknown app' }).waitFor();
    expect(await page.getByTestId('error-facts').textContent()).toContain('invalid_client');
    await shoot('interaction-error-unknown-client');

    await session.goto(
      `/authorize?client_id=${client.id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    );
    await page.waitForURL((url) => url.pathname === '/interaction/error');
    await page.getByRole('heading', { name: 'The app gave a wrong return address' }).waitFor();
    const links = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/']);
    expect(await page.content()).not.toContain('evil.example');
    await shoot('interaction-error-redirect-uri');
    session.assertClean();
  });

  it('takes a login code instead of the passkey, then asks whom to continue as', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    const token = await createLoginCode(session);
    await signOut(session);

    await session.goto(`${app.origin}/login`);
    await page.getByRole('heading', { name: 'Sign in to Grafana' }).waitFor();
    const interaction = page.url();
    await session.waitForPendingAutofill();
    await page.getByRole('link', { name: 'Use a login code' }).click();
    await page.waitForURL((url) => url.pathname === '/login/alternative');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe(
      new URL(interaction).pathname + new URL(interaction).search,
    );
    await enterLoginCode(page, token);
    await page.waitForURL(interaction);
    await page.getByRole('heading', { name: 'Continue to Grafana' }).waitFor();
    await page.getByRole('button', { name: 'Continue as Ada Lovelace' }).click();
    await backAt(page, app);
    expect(await claim('sub')).toBe(adminId);
    session.assertClean();
  });

  it('says an unknown or missing interaction has expired, with the server answering 404', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const unknown = randomUUID();
    session.expect({ path: `/api/oidc/interactions/${unknown}`, status: 404 });
    await session.goto(`/interaction?interaction=${unknown}`);
    await page.getByRole('heading', { name: 'This sign-in request has expired' }).waitFor();
    await shoot('interaction-expired');

    session.expect({ path: '/api/oidc/interactions/not-a-uuid', status: 404 });
    await session.goto('/interaction?interaction=not-a-uuid');
    await page.getByRole('heading', { name: 'This sign-in request has expired' }).waitFor();

    await session.goto('/interaction');
    await page.getByRole('heading', { name: 'This link is incomplete' }).waitFor();
    session.assertClean();
  });
});
