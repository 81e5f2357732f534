import { expect } from 'vitest';
import type { BrowserSession } from './browser-harness.js';

/** Steps several browser journeys share, done through the pages as a person would. */

export const ADMIN = { firstName: 'Ada', lastName: 'Lovelace', username: 'ada', email: 'ada@example.com' };

/**
 * Creates the first administrator on `/setup` with a passkey in the session's virtual authenticator,
 * and leaves them signed in. Returns their user id.
 */
export async function setUpAdmin(session: BrowserSession, admin = ADMIN): Promise<string> {
  const { page } = session;
  await session.goto('/setup');
  await page.getByLabel('First name').fill(admin.firstName);
  await page.getByLabel(/^Last name/).fill(admin.lastName);
  await page.getByLabel('Username', { exact: true }).fill(admin.username);
  await page.getByLabel(/^Email/).fill(admin.email);
  await session.withPresence(async () => {
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname !== '/setup');
  });
  expect(await session.credentials()).toHaveLength(1);
  await session.settle();
  const me = await page.request.get('/api/users/me');
  expect(me.status()).toBe(200);
  return ((await me.json()) as { id: string }).id;
}

/** Ends the browser's Latchkey session behind the page's back, once the page is idle. */
export async function signOut(session: BrowserSession): Promise<void> {
  await session.settle();
  const res = await session.page.request.post('/api/webauthn/logout', { failOnStatusCode: false });
  expect([204, 401]).toContain(res.status());
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
