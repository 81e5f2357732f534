import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, setupAdmin } from '../contract/accounts/account-helpers.js';
import type { Browser as ApiClient } from '../support/browser.js';
import {
  launchBrowser,
  openSession,
  type BrowserSession,
  watchJourneys,
} from '../support/browser-harness.js';
import { startServer, type TestServer } from '../support/server.js';
import { fillAccountForm } from '../support/ui-journeys.js';

/**
 * Signup in a real browser (Fastify, SQLite), with a virtual passkey device. Journey 4 (issue 13):
 * sign-up with a token link an admin made through the API, then the passkey; plus a used link, the
 * `allowUserSignups` modes, the server's field errors, a refused passkey step, and a double submit
 * that creates one account.
 */
let chromium: Chromium | undefined;
watchJourneys(() => chromium);
let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  chromium = await launchBrowser();
  if (!chromium) return;
  server = await startServer({ httpHost: 'fastify', dialect: 'sqlite' });
  ({ browser: admin } = await setupAdmin(server, 'admin'));
});
afterAll(async () => {
  await server?.stop();
  await chromium?.close();
});

const usersNamed = async (username: string) => {
  const res = await admin.get(`/api/users?search=${encodeURIComponent(username)}`);
  expect(res.status).toBe(200);
  return (res.json().data as { id: string; username: string }[]).filter((u) => u.username === username);
};
const passkeysOf = (userId: string) =>
  server.app.storage.database.withScope(() => server.app.storage.passkeys.listByUser(userId));
const signups = async (mode: 'disabled' | 'withToken' | 'open') => {
  expect((await put(admin, '/api/application-configuration', { allowUserSignups: mode })).status).toBe(200);
};

/** A fresh browser (its own cookies and passkey device) for each person. */
async function withSession(run: (session: BrowserSession) => Promise<void>): Promise<void> {
  const session = await openSession(chromium!, server.url);
  try {
    await run(session);
    session.assertClean();
  } finally {
    await session.close();
  }
}

describe('signup', () => {
  let token: string;

  it('journey 4: a signup link from an admin creates the account and its passkey; a double click creates one', async ({
    skip,
  }) => {
    if (!chromium) return skip();
    const created = await admin.post('/api/signup-tokens', { usageLimit: 1, ttl: '1h' });
    expect(created.status).toBe(201);
    token = created.json().token;

    await withSession(async (session) => {
      const { page } = session;
      await session.goto(`/st/${token}`);
      await page.getByRole('heading', { name: 'Join Latchkey' }).waitFor();
      await page.getByText('You were invited to create an account.').waitFor();
      await session.screenshot('signup');

      // Checked in the browser before anything is sent.
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Enter first name.').waitFor();
      await page.getByText('Enter username.').waitFor();
      await session.screenshot('signup-invalid');

      await fillAccountForm(page, {
        firstName: 'Ada',
        lastName: 'Byron',
        username: 'ada',
        email: 'ada@example.com',
      });
      await session.withPresence(async () => {
        await page.getByRole('button', { name: 'Create account' }).dblclick();
        await page.waitForURL('**/settings/account');
      });
      await expect.poll(() => page.getByTestId('user-username').textContent()).toBe('ada');
      await page.getByText('1 registered').waitFor();
      expect(await session.credentials()).toHaveLength(1);
    });
    const users = await usersNamed('ada');
    expect(users).toHaveLength(1);
    expect(await passkeysOf(users[0]!.id)).toHaveLength(1);
    const tokens = (await admin.get('/api/signup-tokens')).json().data as { usageCount: number }[];
    expect(tokens.map((t) => t.usageCount)).toEqual([1]);
  });

  it('says clearly that a used signup link does not work (401 from the server)', async ({ skip }) => {
    if (!chromium) return skip();
    await withSession(async (session) => {
      const { page } = session;
      session.expect({ path: '/api/signup', status: 401 });
      await session.goto(`/st/${token}`);
      await fillAccountForm(page, {
        firstName: 'Eve',
        lastName: '',
        username: 'eve',
        email: 'eve@example.com',
      });
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'This signup link does not work' }).waitFor();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('It is wrong, has expired, or has been used as many times as it allows.');
      expect(await page.getByRole('link', { name: 'Go to sign-in' }).getAttribute('href')).toBe('/login');
      await session.screenshot('signup-link-used');
      expect(await session.credentials()).toHaveLength(0);
    });
    expect(await usersNamed('eve')).toEqual([]);
  });

  it('follows the allowUserSignups setting: closed, link only, open', async ({ skip }) => {
    if (!chromium) return skip();
    await withSession(async (session) => {
      const { page } = session;
      await session.goto('/signup');
      await page.getByRole('heading', { name: 'Signing up is closed' }).waitFor();
      await session.screenshot('signup-disabled');

      await signups('withToken');
      await session.goto('/signup');
      await page.getByRole('heading', { name: 'You need a signup link' }).waitFor();
      await session.screenshot('signup-link-required');

      await signups('open');
      await session.goto('/signup');
      await page.getByRole('heading', { name: 'Join Latchkey' }).waitFor();
      await page.getByText('Create your account.').waitFor();
    });
  });

  it('open signup: a taken username is named on its field; a refused passkey can be tried again', async ({
    skip,
  }) => {
    if (!chromium) return skip();
    await signups('open');
    await withSession(async (session) => {
      const { page } = session;
      await session.goto('/signup');
      session.expect({ path: '/api/signup', status: 409 });
      await fillAccountForm(page, {
        firstName: 'Alan',
        lastName: 'Turing',
        username: 'ada',
        email: 'alan@example.com',
      });
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('This username is already taken.').waitFor();
      expect(await page.getByLabel('Username', { exact: true }).getAttribute('aria-invalid')).toBe('true');

      // The account is made, but the device refuses to verify the person: the passkey step stays.
      await page.getByLabel('Username', { exact: true }).fill('alan');
      await session.setUserVerified(false);
      try {
        await session.withPresence(async () => {
          await page.getByRole('button', { name: 'Create account' }).click();
          await page.getByRole('heading', { name: 'Add your passkey' }).waitFor();
          await expect.poll(() => page.getByRole('alert').textContent()).toContain('could not verify you');
        });
        await session.screenshot('signup-passkey');
      } finally {
        await session.setUserVerified(true);
      }
      await session.withPresence(async () => {
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.waitForURL('**/settings/account');
      });
      await expect.poll(() => page.getByTestId('user-username').textContent()).toBe('alan');
    });
    const [alan] = await usersNamed('alan');
    expect(await passkeysOf(alan!.id)).toHaveLength(1);
  });
});
