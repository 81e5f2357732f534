import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { BrowserSession } from './browser-harness.js';
import type { RelyingParty } from './oidc-app.js';

/** Steps several browser journeys share, done through the pages as a person would. */

export interface Person {
  firstName: string;
  lastName: string;
  username: string;
  email: string;
}

export const ADMIN: Person = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  username: 'ada',
  email: 'ada@example.com',
};

/** Fills the details of a new account on `/setup` or `/signup`. */
export async function fillAccountForm(page: Page, person: Person): Promise<void> {
  await page.getByLabel('First name').fill(person.firstName);
  await page.getByLabel(/^Last name/).fill(person.lastName);
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel(/^Email/).fill(person.email);
}

/**
 * Fills in `person` and presses "Create account": the account, then its passkey in the session's
 * virtual authenticator, until the page has moved on from `path`. Returns the new user's id.
 */
async function createAccount(session: BrowserSession, path: string, person: Person): Promise<string> {
  const { page } = session;
  await fillAccountForm(page, person);
  await session.withPresence(async () => {
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname !== path);
  });
  await session.settle();
  const me = await page.request.get('/api/users/me');
  expect(me.status()).toBe(200);
  const user = (await me.json()) as { id: string; username: string };
  expect(user.username).toBe(person.username);
  return user.id;
}

/**
 * Creates the first administrator on `/setup` with a passkey in the session's virtual authenticator,
 * and leaves them signed in. Returns their user id.
 */
export async function setUpAdmin(session: BrowserSession, admin = ADMIN): Promise<string> {
  await session.goto('/setup');
  const id = await createAccount(session, '/setup', admin);
  expect(await session.credentials()).toHaveLength(1);
  return id;
}

/** Signs `person` up through a signup link (`/st/<token>`) with a passkey, and leaves them signed in. */
export async function signUpWithLink(
  session: BrowserSession,
  token: string,
  person: Person,
): Promise<string> {
  await session.goto(`/st/${token}`);
  return createAccount(session, `/st/${token}`, person);
}

/**
 * Presses "Sign in with a passkey" (or `button`) once the page's autofill request waits, with the
 * device answering until `until` resolves (the page the sign-in leads to, or its error).
 */
export async function pressPasskeyButton(
  session: BrowserSession,
  until: () => Promise<unknown>,
  button = 'Sign in with a passkey',
): Promise<void> {
  await session.waitForPendingAutofill();
  await session.withPresence(async () => {
    await session.page.getByRole('button', { name: button }).click();
    await until();
  });
}

/** Types a login code on `/login/alternative` and presses "Sign in". */
export async function enterLoginCode(page: Page, code: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Login code' }).fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A login code for the signed-in user, as the account page makes one. */
export async function createLoginCode(session: BrowserSession): Promise<string> {
  await session.settle();
  const created = await session.page.request.post('/api/users/me/one-time-access-token', { data: {} });
  expect(created.status()).toBe(201);
  return ((await created.json()) as { token: string }).token;
}

/** Ends the browser's Latchkey session behind the page's back, once the page is idle. */
export async function signOut(session: BrowserSession): Promise<void> {
  await session.settle();
  const res = await session.page.request.post('/api/webauthn/logout', { failOnStatusCode: false });
  expect([204, 401]).toContain(res.status());
  expect(await signedIn(session)).toBe(false);
}

/** Whether the browser has a Latchkey session (asked without touching the page). */
export async function signedIn(session: BrowserSession): Promise<boolean> {
  const res = await session.page.request.get('/api/users/me', { failOnStatusCode: false });
  return res.status() === 200;
}

/** Registers an OIDC client as the signed-in admin, with a secret unless it is public. */
export async function createClient(
  session: BrowserSession,
  body: Record<string, unknown>,
): Promise<{ id: string; secret?: string }> {
  const created = await session.page.request.post('/api/oidc/clients', { data: body });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  if (body.isPublic) return { id };
  const secret = await session.page.request.post(`/api/oidc/clients/${id}/secrets`, { data: {} });
  expect(secret.status()).toBe(201);
  return { id, secret: ((await secret.json()) as { secret: string }).secret };
}

/** Uploads a client logo (`light` or dark) as the signed-in admin. */
export async function uploadLogo(session: BrowserSession, clientId: string, svg: string, light: boolean) {
  const res = await session.page.request.post(`/api/oidc/clients/${clientId}/logo?light=${light}`, {
    multipart: { file: { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) } },
  });
  expect(res.status()).toBe(204);
}

/** A simple logo: a rounded square in `fill` with a letter in `ink`. */
export function aLogo(fill: string, ink: string, letter = 'G'): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="14" fill="${fill}"/>` +
    `<text x="32" y="43" font-family="sans-serif" font-size="30" font-weight="700" text-anchor="middle" fill="${ink}">${letter}</text>` +
    `</svg>`
  );
}

/** Waits until the browser is back at the relying party, on its callback unless `path` says otherwise. */
export async function backAt(page: Page, app: RelyingParty, path = '/callback'): Promise<void> {
  await page.waitForURL((url) => url.origin === app.origin && url.pathname === path);
}

/** Presses Allow on the consent page, and waits until the app has the answer. */
export async function allow(page: Page, app: RelyingParty): Promise<void> {
  await page.getByRole('button', { name: 'Allow' }).click();
  await backAt(page, app);
}

/** A claim the relying party shows on its callback page (`[data-claim]`, as JSON). */
export async function claimShown(page: Page, name: string): Promise<unknown> {
  return JSON.parse((await page.locator(`[data-claim="${name}"]`).first().textContent()) ?? 'null');
}
