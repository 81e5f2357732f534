import * as client from 'openid-client';
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
  aLogo,
  createClient,
  pressPasskeyButton,
  setUpAdmin,
  signedIn,
  signOut,
  uploadLogo,
} from '../support/ui-journeys.js';

/**
 * Journey 7 (issue 13): the device authorization grant (RFC 8628) with a real device client
 * (`openid-client`, polling the token endpoint as a TV would) and the person on `/device` in a real
 * browser: sent to sign in first, back to the code, allow, and the device gets its tokens. Also a
 * refusal (the device hears `access_denied`), a client that wants the passkey again, and a code that
 * does not exist. On the Fastify host with SQLite; journeys 1 and 2 cover both hosts.
 */
let browser: Browser | undefined;
watchJourneys(() => browser);
let server: TestServer;
let session: BrowserSession;
let adminId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  if (!browser) return;
  server = await startServer({ httpHost: 'fastify', dialect: 'sqlite' });
  session = await openSession(browser, server.url);
  adminId = await setUpAdmin(session);
  session.assertClean();
});
afterAll(async () => {
  await session?.close();
  await server?.stop();
  await browser?.close();
});

/** A device client at Latchkey and the device's own view of it (openid-client). */
async function aDevice(name: string, settings: Record<string, unknown> = {}) {
  const registered = await createClient(session, { name, callbackURLs: [], isPublic: true, ...settings });
  const config = await client.discovery(new URL(server.url), registered.id, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  return { id: registered.id, config };
}

describe('the device page', () => {
  it('journey 7: a device is approved on /device after signing in, and its polling gets the tokens', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const tv = await aDevice('Living room TV');
    await uploadLogo(session, tv.id, aLogo('#0f766e', '#ffffff', 'T'), true);
    const started = await client.initiateDeviceAuthorization(tv.config, {
      scope: 'openid profile email groups',
    });
    // The device polls from now on, at the interval the server gave it.
    const polling = client.pollDeviceAuthorizationGrant(tv.config, started);
    polling.catch(() => undefined);

    await signOut(session);
    session.expect({ path: '/api/users/me', status: 401 });
    await session.goto(started.verification_uri_complete!);
    await page.waitForURL((url) => url.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe(`/device?user_code=${started.user_code}`);
    await pressPasskeyButton(session, () =>
      page.getByRole('heading', { name: 'Allow Living room TV on your device?' }).waitFor(),
    );
    expect(await page.getByTestId('user-code').textContent()).toBe(started.user_code);
    expect(
      await page
        .getByTestId('scopes')
        .locator('li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-scope'))),
    ).toEqual(['openid', 'profile', 'email', 'groups']);
    await session.settle();
    await session.screenshot('device-review');

    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: "You're all set" }).waitFor();
    await session.screenshot('device-done');

    const tokens = await polling;
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.claims()).toMatchObject({ sub: adminId, email: 'ada@example.com', aud: tv.id });
    session.assertClean();
  });

  it('takes a typed code loosely, and a refusal reaches the device as access_denied', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    expect(await signedIn(session)).toBe(true);
    const gameConsole = await aDevice('Game console');
    const started = await client.initiateDeviceAuthorization(gameConsole.config, { scope: 'openid' });
    const polling = client.pollDeviceAuthorizationGrant(gameConsole.config, started);
    polling.catch(() => undefined);

    await session.goto('/device');
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await session.screenshot('device-enter');
    // Lower case, with a dash, as a person might type it.
    const typed = `${started.user_code.slice(0, 4)}-${started.user_code.slice(4)}`.toLowerCase();
    await page.getByLabel('Code').fill(typed);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Allow Game console on your device?' }).waitFor();
    expect(await page.getByTestId('user-code').textContent()).toBe(started.user_code);

    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    await session.screenshot('device-denied');
    const refused = await polling.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(client.ResponseBodyError);
    expect((refused as client.ResponseBodyError).error).toBe('access_denied');
    session.assertClean();
  });

  it('asks for the passkey before approving for a client that requires re-authentication', async ({
    skip,
  }) => {
    if (!browser) return skip();
    const { page } = session;
    const vault = await aDevice('Vault CLI', { requiresReauthentication: true });
    const started = await client.initiateDeviceAuthorization(vault.config, { scope: 'openid' });
    const polling = client.pollDeviceAuthorizationGrant(vault.config, started);
    polling.catch(() => undefined);

    await session.goto(started.verification_uri_complete!);
    await page.getByRole('heading', { name: 'Allow Vault CLI on your device?' }).waitFor();
    await page.getByText('Vault CLI asks you to confirm with your passkey').waitFor();
    const calls = (await session.webauthnCalls()).length;
    await session.withPresence(async () => {
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.getByRole('heading', { name: "You're all set" }).waitFor();
    });
    expect((await session.webauthnCalls()).slice(calls)).toEqual([
      { mediation: 'optional', state: 'resolved' },
    ]);
    expect((await polling).claims()?.sub).toBe(adminId);
    session.assertClean();
  });

  it('says a code that does not exist is not valid, with the server answering 400', async ({ skip }) => {
    if (!browser) return skip();
    const { page } = session;
    session.expect({ path: '/api/oidc/device/info', status: 400 });
    await session.goto('/device?user_code=EAAAAAAA');
    await page.getByRole('alert').getByText('This code is not valid, or it was already used').waitFor();
    // The code stays in the field, to be corrected.
    expect(await page.getByLabel('Code').inputValue()).toBe('EAAAAAAA');
    await session.screenshot('device-invalid-code');
    session.assertClean();
  });
});
