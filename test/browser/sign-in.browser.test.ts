import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  launchBrowser,
  openSession,
  type BrowserSession,
  watchJourneys,
} from '../support/browser-harness.js';
import { startServer, type TestServer } from '../support/server.js';
import {
  ADMIN as admin,
  createLoginCode,
  enterLoginCode,
  fillAccountForm,
  pressPasskeyButton,
  signedIn,
  signOut,
} from '../support/ui-journeys.js';

/**
 * The sign-in pages in a real browser, on both HTTP hosts (SQLite), with a virtual passkey device.
 * Journeys (issue 13): 1 (setup of the first admin, sign-out, passkey sign-in), 9 (user verification
 * refused), 10 (the autofill request issued, then aborted cleanly by the button), plus the setup page
 * once a user exists, login codes and the wrong-address explanation.
 *
 * The tests of one host share one browser session and run in order: the passkey created in journey 1
 * lives in that session's virtual authenticator. Each test still fails on its own unexpected browser
 * errors (`assertClean`).
 */
const hosts = ['fastify', 'express'] as const;

let browser: Browser | undefined;
watchJourneys(() => browser);
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(hosts)('the UI on %s', (httpHost) => {
  let server: TestServer;
  let session: BrowserSession;
  // Screenshots once: both hosts serve the same bytes (the contract suite proves it).
  const shoot = (name: string) => (httpHost === 'fastify' ? session.screenshot(name) : Promise.resolve());

  beforeAll(async () => {
    if (!browser) return;
    server = await startServer({ httpHost, dialect: 'sqlite' });
    session = await openSession(browser, server.url);
  });
  afterAll(async () => {
    await session?.close();
    await server?.stop();
  });

  const storedPasskeys = async (username: string) =>
    server.app.storage.database.withScope(async () => {
      const user = await server.app.storage.users.findByUsername(username);
      return user ? server.app.storage.passkeys.listByUser(user.id) : [];
    });

  it('journey 1: a fresh install leads to /setup; the first admin gets a passkey, signs out and signs in with it', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    // A fresh install opened at its root: not signed in (401), setup still open, so on to /setup.
    session.expect({ path: '/api/users/me', status: 401 });
    await session.goto('/');
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Welcome to Latchkey' }).waitFor();
    await shoot('setup');

    // Checked in the browser before anything is sent.
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Enter first name.').waitFor();
    expect(await page.getByLabel('Username', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shoot('setup-invalid');

    await fillAccountForm(page, admin);
    await session.withPresence(async () => {
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL((url) => url.pathname === '/');
    });
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe(admin.username);
    await page.getByText('1 registered').waitFor();
    await shoot('home');
    expect(await session.credentials()).toHaveLength(1);
    expect(await storedPasskeys(admin.username)).toHaveLength(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect(await signedIn(session)).toBe(false);
    await page.getByRole('heading', { name: 'Sign in to Latchkey' }).waitFor();
    await session.waitForPendingAutofill();
    await shoot('login');

    await pressPasskeyButton(session, () => page.waitForURL((url) => url.pathname === '/'));
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Ada Lovelace');
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe(admin.username);
    expect(await signedIn(session)).toBe(true);
    // Signing in used the passkey made at setup; nothing new was stored.
    const passkeys = await storedPasskeys(admin.username);
    expect(passkeys).toHaveLength(1);
    expect(passkeys[0]!.lastUsedAt).toBeInstanceOf(Date);
    session.assertClean();
  });

  it('/setup says that setup is done once a user exists', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    session.expect({ path: '/api/signup/setup', status: 404 });
    await session.goto('/setup');
    await page.getByRole('heading', { name: 'Setup is already done' }).waitFor();
    expect(await page.getByRole('link', { name: 'Go to sign-in' }).getAttribute('href')).toBe('/login');
    await shoot('setup-done');
    session.assertClean();
  });

  it('journey 9: user verification refused shows a clear error and signs nobody in', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    await signOut(session);
    await session.setUserVerified(false);
    try {
      await session.goto('/login');
      await pressPasskeyButton(session, () =>
        expect.poll(() => page.getByRole('alert').textContent()).toContain('could not verify you'),
      );
      await shoot('login-refused');
      expect(page.url()).toMatch(/\/login$/);
      expect(await signedIn(session)).toBe(false);
    } finally {
      await session.setUserVerified(true);
    }
    session.assertClean();
  });

  it('sends a visitor who is not signed in from / to /login once setup is done', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    // Asked in this order by the start page: who is signed in (nobody), then whether setup is open (no).
    session.expect({ path: '/api/users/me', status: 401 });
    session.expect({ path: '/api/signup/setup', status: 404 });
    await session.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in to Latchkey' }).waitFor();
    session.assertClean();
  });

  it('journey 10: /login issues a conditional (autofill) request and the button aborts it cleanly', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.goto('/login');
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username webauthn');
    await session.waitForPendingAutofill();
    expect(await session.webauthnCalls()).toEqual([{ mediation: 'conditional', state: 'pending' }]);

    await pressPasskeyButton(session, () => page.waitForURL((url) => url.pathname === '/'));
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe(admin.username);
    // The AbortError ended the background request and reached no console: assertClean proves it.
    expect(await session.webauthnCalls()).toEqual([
      { mediation: 'conditional', state: 'rejected', error: 'AbortError' },
      { mediation: 'optional', state: 'resolved' },
    ]);
    session.assertClean();
  });

  it('signs in from autofill: the conditional request answered by the device signs the person in', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await signOut(session);
    await session.withPresence(async () => {
      await session.goto('/login');
      await page.waitForURL((url) => url.pathname === '/');
    });
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe(admin.username);
    expect(await session.webauthnCalls()).toEqual([{ mediation: 'conditional', state: 'resolved' }]);
    session.assertClean();
  });

  it('follows a same-origin redirect after sign-in and ignores one to another site', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    await signOut(session);
    await session.goto('/login?redirect=%2F%2Fevil.example%2F');
    await pressPasskeyButton(session, () =>
      page.waitForURL((url) => url.pathname === '/' && url.host === new URL(server.url).host),
    );

    await signOut(session);
    await session.goto('/login?redirect=%2Fnowhere%3Fx%3D1');
    await session.waitForPendingAutofill();
    await session.withPresence(async () => {
      // By keyboard this time: Enter in the username field submits the form.
      await page.getByLabel('Username').press('Enter');
      await page.waitForURL((url) => url.pathname === '/nowhere' && url.search === '?x=1');
    });
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await shoot('not-found');
    session.assertClean();
  });

  it('signs in with a login code, typed or from a link; a wrong code says so', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    const typed = await createLoginCode(session);
    const linked = await createLoginCode(session);
    await signOut(session);

    await session.goto('/login');
    await page.getByRole('link', { name: 'Use a login code' }).click();
    await page.waitForURL('**/login/alternative');
    await page.getByRole('heading', { name: 'Sign in with a login code' }).waitFor();
    await shoot('login-code');
    session.expect({ path: '/api/one-time-access-token/WRONG1', status: 401 });
    await enterLoginCode(page, 'WRONG1');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('wrong, expired or already used');
    await shoot('login-code-wrong');
    await enterLoginCode(page, typed);
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe(admin.username);

    await signOut(session);
    await session.goto(`/lc/${linked}`);
    await page.getByRole('heading', { name: 'Sign in with this link' }).waitFor();
    // Opening the link spent nothing: the code still works when the person continues.
    expect(await signedIn(session)).toBe(false);
    await shoot('login-link');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await signedIn(session)).toBe(true);
    session.assertClean();
  });

  it('explains a passkey refused because the browser is not on APP_URL, showing both addresses', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const wrong = server.url.replace('localhost', '127.0.0.1');
    await session.goto(`${wrong}/login`);
    const alert = page.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toContain('Your browser refused to use passkeys on this address');
    await expect.poll(() => alert.textContent()).toContain(wrong);
    await expect.poll(() => alert.textContent()).toContain(server.url);
    await shoot('login-wrong-address');
    session.assertClean();
  });
  it('follows the system theme, and the switch cycles light and dark, kept across a reload', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.goto('/login');
    await session.waitForPendingAutofill();
    const theme = () => page.evaluate('document.documentElement.dataset.theme ?? "system"');
    const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(await theme()).toBe('system');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(9, 9, 11)');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBe('rgb(244, 244, 245)');

    const toggle = page.getByRole('button', { name: /^Colour theme/ });
    expect(await toggle.getAttribute('aria-label')).toBe('Colour theme: system. Switch to light.');
    await toggle.click();
    expect(await theme()).toBe('light');
    await toggle.click();
    expect(await theme()).toBe('dark');
    expect(await background()).toBe('rgb(9, 9, 11)');
    // public/theme.js applies the saved choice before the app runs.
    await session.goto('/login');
    expect(await theme()).toBe('dark');
    await toggle.click();
    expect(await theme()).toBe('system');
    await session.goto('/login');
    expect(await theme()).toBe('system');
    session.assertClean();
  });

  it('takes the app name and accent colour from the application configuration', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.settle();
    const saved = await page.request.put('/api/application-configuration', {
      data: { appName: 'Acme SSO', accentColor: '#7c3aed' },
    });
    expect(saved.status()).toBe(200);
    await signOut(session);
    await session.goto('/login');
    await page.getByRole('heading', { name: 'Sign in to Acme SSO' }).waitFor();
    expect(await page.title()).toBe('Sign in to Acme SSO · Acme SSO');
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    // Runs in the page (the test tsconfig has no DOM types, hence globalThis).
    const style = (el: unknown, property: string) =>
      (globalThis as any).getComputedStyle(el)[property] as string;
    expect(await button.evaluate(style, 'backgroundColor')).toBe('rgb(124, 58, 237)');
    // White on this violet has a contrast ratio of 5.7:1 (WCAG AA).
    expect(await button.evaluate(style, 'color')).toBe('rgb(255, 255, 255)');
    await session.waitForPendingAutofill();
    await shoot('login-accent');
    session.assertClean();
  });
});
