import { hashToken } from '@latchkey/core';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  openSession,
  type BrowserSession,
  watchJourneys,
} from '../support/browser-harness.js';
import { startServer, type TestServer } from '../support/server.js';
import { enterLoginCode, pressPasskeyButton, signedIn, signOut } from '../support/ui-journeys.js';

/**
 * The account pages in a real browser (Fastify, SQLite), with a virtual passkey device: the account
 * page at `/` and `/settings/account` (profile, picture, passkeys, login codes), "My apps" and the
 * activity log. Journeys (issue 13): 5 (add a second passkey, rename it, delete it) and 6 (a login code
 * made on the account page signs in a second browser context), plus "My apps" with revocation and the
 * bad-input cases of login codes.
 *
 * The tests share one browser session and run in order: the user and their passkey are made by the
 * first. Each still fails on its own unexpected browser errors (`assertClean`).
 */
let browser: Browser | undefined;
watchJourneys(() => browser);
let server: TestServer;
let session: BrowserSession;
let userId: string;

const grace = { firstName: 'Grace', lastName: 'Hopper', username: 'grace', email: 'grace@example.com' };

beforeAll(async () => {
  browser = await launchBrowser();
  if (!browser) return;
  server = await startServer({ httpHost: 'fastify', dialect: 'sqlite' });
  session = await openSession(browser, server.url);
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
  await browser?.close();
});

const storage = () => server.app.storage;
const inScope = <T>(work: () => Promise<T>) => storage().database.withScope(work);
const storedPasskeys = () => inScope(() => storage().passkeys.listByUser(userId));
const storedUser = () => inScope(() => storage().users.findById(userId));

/** An API call as the signed-in browser (its cookie), once the page is idle. */
const apiAs = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, data?: unknown) => {
  await session.settle();
  return session.page.request.fetch(path, { method, data, failOnStatusCode: false });
};

/** The application configuration, as an admin saves it (every key; unnamed ones take their default). */
const configure = async (settings: Record<string, string>) => {
  expect((await apiAs('PUT', '/api/application-configuration', settings)).status()).toBe(200);
};

describe('the account pages', () => {
  it('journey 5: the account page adds passkeys, names them, and deletes one after confirming', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    // The first admin, made through the API: the account page then offers the first passkey.
    const created = await page.request.post('/api/signup/setup', { data: grace });
    expect(created.status()).toBe(200);
    userId = ((await created.json()) as { id: string }).id;

    // `/` is the account page for whoever is signed in.
    await session.goto('/');
    await page.getByRole('heading', { name: 'Account', exact: true, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.getByTestId('user-username').textContent()).toBe('grace');
    expect(await page.getByTestId('user-name').textContent()).toBe('Grace Hopper');
    await page.getByText('You have no passkey yet').waitFor();
    await session.screenshot('account-no-passkey');

    // The first passkey, named right after it is made.
    await session.withPresence(async () => {
      await page.getByRole('button', { name: 'Add passkey' }).click();
      await page.getByText('1 registered').waitFor();
    });
    const name = page.getByRole('textbox', { name: 'Passkey name' });
    await name.waitFor();
    expect(await name.inputValue()).toBe('New Passkey');
    await session.screenshot('account-passkey-rename');
    await name.fill('This laptop');
    await name.press('Enter');
    await page.getByText('Renamed to “This laptop”.').waitFor();
    expect((await storedPasskeys()).map((p) => p.name)).toEqual(['This laptop']);

    // Journey 5: a second passkey, from a second device, a security key (Chrome allows one built-in
    // one). The first device holds back: its credential is excluded, and it waits for a touch.
    const unplug = await session.plugInSecurityKey();
    try {
      await page.getByRole('button', { name: 'Add passkey' }).click();
      await page.getByText('2 registered').waitFor();
      await name.waitFor();
      await name.fill('Security key');
      await page.getByRole('button', { name: 'Save name' }).click();
      await page.getByText('Renamed to “Security key”.').waitFor();
    } finally {
      await unplug();
    }
    expect((await storedPasskeys()).map((p) => p.name).sort()).toEqual(['Security key', 'This laptop']);
    const items = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^Delete / }) });
    await expect.poll(() => items.count()).toBe(2);
    await expect.poll(() => items.filter({ hasText: 'Security key' }).textContent()).toContain('never used');
    await session.screenshot('account');

    // Delete it, after the question.
    await page.getByRole('button', { name: 'Delete Security key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Security key”?' });
    await dialog.waitFor();
    await session.screenshot('account-passkey-delete');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('“Security key” is deleted.').waitFor();
    await page.getByText('1 registered').waitFor();
    expect((await storedPasskeys()).map((p) => p.name)).toEqual(['This laptop']);

    // The last one: the question warns, and Cancel keeps it.
    await page.getByRole('button', { name: 'Delete This laptop' }).click();
    await dialog.or(page.getByRole('dialog')).first().waitFor();
    await page.getByText('This is your only passkey').waitFor();
    await session.screenshot('account-passkey-delete-last');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await storedPasskeys()).toHaveLength(1);
    session.assertClean();
  });

  it('edits the profile: browser checks, the server’s field errors, and the saved details', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const taken = await apiAs('POST', '/api/users', {
      username: 'taken',
      email: 'taken@example.com',
      firstName: 'Someone',
    });
    expect(taken.status()).toBe(201);
    await session.goto('/settings/account');
    const field = (label: string | RegExp) => page.getByLabel(label, { exact: typeof label === 'string' });
    await field('First name').waitFor();

    // Checked in the browser: nothing is sent.
    await field('First name').fill('');
    await field(/^Email/).fill('not an email');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Enter first name.').waitFor();
    await page.getByText('Enter a valid email address, like name@example.com.').waitFor();
    expect(await field('First name').getAttribute('aria-invalid')).toBe('true');
    await session.screenshot('account-profile-invalid');

    // The server's answers, shown on their fields: a taken username (409), an email only it refuses (400).
    session.expect({ path: '/api/users/me', status: 409 });
    await field('First name').fill('Amazing Grace');
    await field(/^Email/).fill('grace@example.com');
    await field('Username').fill('taken');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('This username is already taken.').waitFor();
    session.expect({ path: '/api/users/me', status: 400 });
    await field('Username').fill('grace');
    await field(/^Email/).fill('grace@example..com');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.locator('#profile-email-error').textContent())
      .toBe('Enter a valid email address, like name@example.com.');

    await field(/^Email/).fill('grace@navy.example');
    await field(/^Display name/).fill('Admiral Hopper');
    await field('Language').selectOption('de');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Your details are saved.').waitFor();
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Admiral Hopper');
    expect(await storedUser()).toMatchObject({
      firstName: 'Amazing Grace',
      lastName: 'Hopper',
      displayName: 'Admiral Hopper',
      email: 'grace@navy.example',
      username: 'grace',
      locale: 'de',
    });
    session.assertClean();
  });

  it('uploads a profile picture and goes back to the initials', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    const picture = async () =>
      (await apiAs('GET', `/api/users/${userId}/profile-picture.png?skipCache=1`)).body();
    const initials = await picture();
    await session.goto('/settings/account');
    await page.getByRole('button', { name: 'Upload picture' }).waitFor();

    // The browser refuses what the server would: another type, or more than 2 MiB.
    await page.locator('#profile-picture-file').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a picture'),
    });
    await page.getByText('Choose a PNG, JPEG or WebP picture.').waitFor();

    const png = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 220, g: 38, b: 38 } },
    })
      .png()
      .toBuffer();
    await page
      .locator('#profile-picture-file')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await page.getByText('Your picture is updated.').waitFor();
    const uploaded = await picture();
    expect(uploaded.equals(initials)).toBe(false);
    // Every copy on the page asks past the image cache now.
    await expect
      .poll(() => page.getByRole('img', { name: /^Profile picture of/ }).getAttribute('src'))
      .toMatch(/\?skipCache=\d+$/);
    await session.screenshot('account-picture');

    await page.getByRole('button', { name: 'Use initials' }).click();
    await page.getByText('Your picture now shows your initials.').waitFor();
    expect((await picture()).equals(initials)).toBe(true);
    session.assertClean();
  });

  it('keeps name, username and email read-only while own-account edits are off; the language still saves', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await configure({ allowOwnAccountEdit: 'false' });
    try {
      await session.goto('/settings/account');
      await page.getByText('Only an administrator can change your name').waitFor();
      for (const label of ['First name', 'Username'])
        expect(await page.getByLabel(label, { exact: true }).isDisabled()).toBe(true);
      expect(await page.getByLabel('Language').isDisabled()).toBe(false);
      await session.screenshot('account-read-only');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Your details are saved.').waitFor();
      expect(await storedUser()).toMatchObject({
        locale: 'fr',
        firstName: 'Amazing Grace',
        username: 'grace',
      });
    } finally {
      await configure({});
    }
    session.assertClean();
  });

  it('journey 6: a login code made on the account page signs in a second browser as the same user', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await session.goto('/settings/account');
    await page.getByLabel('Valid for').selectOption({ label: '1 hour' });
    // A double click makes one code: the button ignores clicks while the first one runs.
    await page.getByRole('button', { name: 'Create login code' }).dblclick();
    const code = (await page.getByTestId('login-code').textContent())!.trim();
    expect(code).toMatch(/^[A-Za-z0-9]{12}$/);
    const link = (await page.getByTestId('login-link').textContent())!.trim();
    expect(link).toBe(`${server.url}/lc/${code}`);
    await page.getByRole('img', { name: 'QR code of the login link' }).waitFor();
    await page.getByText(/Works once, until .* \(in 1 hour\)/).waitFor();
    await session.screenshot('account-login-code');

    const other = await openSession(browser!, server.url);
    try {
      await other.goto(link);
      await other.page.getByRole('heading', { name: 'Sign in with this link' }).waitFor();
      await other.page.getByRole('button', { name: 'Continue' }).click();
      await other.page.waitForURL((url) => url.pathname === '/');
      await expect.poll(() => other.page.getByTestId('user-username').textContent()).toBe('grace');
      const me = await other.page.request.get('/api/users/me');
      expect(((await me.json()) as { id: string }).id).toBe(userId);
      other.assertClean();

      // Spent: the same link again, in a browser signed out, says so and signs nobody in.
      await signOut(other);
      other.expect({ path: `/api/one-time-access-token/${code}`, status: 401 });
      await other.goto(link);
      await other.page.getByRole('button', { name: 'Continue' }).click();
      await expect
        .poll(() => other.page.getByRole('alert').textContent())
        .toContain('This login code is wrong, expired or already used');
      expect(await signedIn(other)).toBe(false);
      other.assertClean();
    } finally {
      await other.close();
    }
    session.assertClean();
  });

  it('refuses an expired or a wrong login code with a clear message', async ({ skip }) => {
    if (!browser) return skip();
    const other = await openSession(browser!, server.url);
    try {
      const expired = 'EXPIRED12345';
      const past = new Date(Date.now() - 60_000);
      await inScope(() =>
        storage().oneTimeAccessTokens.insert({
          tokenHash: hashToken(expired),
          userId,
          deviceTokenHash: null,
          createdAt: new Date(past.getTime() - 60_000),
          expiresAt: past,
        }),
      );
      for (const code of [expired, 'WRONG9']) {
        other.expect({ path: `/api/one-time-access-token/${code}`, status: 401 });
        await other.goto('/login/alternative');
        await enterLoginCode(other.page, code);
        await expect
          .poll(() => other.page.getByRole('alert').textContent())
          .toContain('This login code is wrong, expired or already used');
        expect(new URL(other.page.url()).pathname).toBe('/login/alternative');
      }
      other.assertClean();
    } finally {
      await other.close();
    }
  });

  it('"My apps" shows the apps with a launch URL; revoking one takes back its authorization', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    // Nothing yet: the empty state.
    await session.goto('/settings/account');
    await page.getByRole('link', { name: 'My apps' }).click();
    await page.waitForURL('**/settings/apps');
    await page.getByRole('heading', { name: 'No apps yet' }).waitFor();
    await session.screenshot('my-apps-empty');

    const client = async (body: Record<string, unknown>) => {
      const res = await apiAs('POST', '/api/oidc/clients', {
        callbackURLs: ['https://rp.example.com/cb'],
        ...body,
      });
      expect(res.status()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const grafana = await client({
      name: 'Grafana',
      description: 'Dashboards and alerts',
      launchURL: 'https://grafana.example.com/',
    });
    await client({ name: 'Wiki', launchURL: 'https://wiki.example.com/' });
    const backend = await client({ name: 'Backend' });
    // Grafana and the backend were used (their consents are the authorizations); the wiki never.
    const t0 = Date.now() - 3 * 3_600_000;
    await inScope(async () => {
      await storage().consents.grant(userId, grafana, ['openid', 'email'], new Date(t0));
      await storage().consents.grant(userId, backend, ['openid'], new Date(t0));
    });
    const authorized = async () =>
      (
        (await (await apiAs('GET', '/api/oidc/users/me/authorized-clients')).json()) as {
          data: { client: { id: string } }[];
        }
      ).data.map((e) => e.client.id);

    await session.goto('/settings/apps');
    const card = (name: string) =>
      page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
    await card('Grafana').waitFor();
    expect(await page.getByRole('heading', { name: 'Backend' }).count()).toBe(0);
    const open = card('Grafana').getByRole('link', { name: /^Open/ });
    expect(await open.getAttribute('href')).toBe('https://grafana.example.com/');
    expect(await open.getAttribute('target')).toBe('_blank');
    expect(await open.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await card('Grafana').textContent()).toContain('Last used 3 hours ago');
    expect(await card('Wiki').textContent()).toContain('Not used yet');
    expect(
      await card('Wiki')
        .getByRole('button', { name: /^Revoke/ })
        .count(),
    ).toBe(0);
    await session.screenshot('my-apps');

    await card('Grafana').getByRole('button', { name: 'Revoke access for Grafana' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke access for Grafana?' });
    await dialog.waitFor();
    await session.screenshot('my-apps-revoke');
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Grafana no longer has access to your account.').waitFor();
    // Still an app the person may use, but no longer authorized: the server has no consent left.
    await expect.poll(() => card('Grafana').textContent()).toContain('Not used yet');
    expect(await authorized()).toEqual([backend]);
    expect(await inScope(() => storage().consents.find(userId, grafana))).toBeNull();

    // The authorized app without a launch URL is behind a toggle; revoking it removes it from there.
    await page.getByRole('button', { name: 'Show other authorized apps (1)' }).click();
    await card('Backend').waitFor();
    await session.screenshot('my-apps-other');
    await card('Backend').getByRole('button', { name: 'Revoke access for Backend' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Backend no longer has access to your account.').waitFor();
    await expect.poll(() => page.getByRole('heading', { name: 'Backend' }).count()).toBe(0);
    expect(await authorized()).toEqual([]);
    session.assertClean();
  });

  it('shows the user’s own activity in plain words, a page at a time', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    // Enough entries for two pages, the newest with a place and a device.
    await inScope(async () => {
      for (let i = 0; i < 22; i++) {
        await storage().auditLogs.insert({
          id: crypto.randomUUID(),
          event: 'CLIENT_AUTHORIZATION',
          ipAddress: '81.2.69.142',
          userAgent:
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
          country: 'United Kingdom',
          city: 'London',
          data: { clientName: 'Grafana' },
          userId,
          createdAt: new Date(Date.now() + 60_000 - i * 1000),
        });
      }
    });
    await session.goto('/settings/account');
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.waitForURL('**/settings/audit-log');
    const rows = page.locator('table.audit tbody tr');
    await expect.poll(() => rows.count()).toBe(20);
    const first = rows.first();
    expect(await first.getByRole('rowheader').textContent()).toBe('Signed in to Grafana');
    expect(await first.textContent()).toContain('81.2.69.142');
    expect(await first.textContent()).toContain('London, United Kingdom');
    expect(await first.textContent()).toContain('Safari on macOS 14.5');
    await page.getByText('Page 1 of 2').waitFor();
    await session.screenshot('audit-log');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2').waitFor();
    // The older entries this suite caused: passkeys added and removed, the login code used.
    const events = await page.locator('table.audit tbody th').allTextContents();
    expect(events).toEqual(
      expect.arrayContaining([
        'Signed in with a login code',
        'Added the passkey “New Passkey”',
        'Deleted the passkey “Security key”',
      ]),
    );
    session.assertClean();
  });

  it('sends a visitor who is not signed in to sign in, and back to the page they asked for', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    await signOut(session);
    session.expect({ path: '/api/users/me', status: 401 });
    session.expect({ path: '/api/signup/setup', status: 404 });
    await session.goto('/settings/apps');
    await page.waitForURL(
      (url) => url.pathname === '/login' && url.search === '?redirect=%2Fsettings%2Fapps',
    );
    await pressPasskeyButton(session, () => page.waitForURL('**/settings/apps'));
    await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor();
    // One theme switch, in the frame's header: the shell's own bar gives way to it.
    const themeSwitch = page.getByRole('button', { name: /^Colour theme/ });
    expect(await themeSwitch.count()).toBe(1);
    expect(
      await page
        .locator('header.settings-head')
        .getByRole('button', { name: /^Colour theme/ })
        .count(),
    ).toBe(1);

    // Sign-out from the frame's header; the switch goes back to the corner of /login.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await expect.poll(() => themeSwitch.count()).toBe(1);
    expect(await signedIn(session)).toBe(false);
    session.assertClean();
  });
});
