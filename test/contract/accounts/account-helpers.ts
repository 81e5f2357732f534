import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import { expect } from 'vitest';
import { Browser } from '../../support/browser.js';
import type { TestServer } from '../../support/server.js';

/** The HTTP hosts × databases every account suite runs on: both hosts on SQLite, one on PostgreSQL. */
export const ACCOUNT_MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

export function put(browser: Browser, path: string, body: unknown) {
  return browser.request({
    method: 'PUT',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** First-admin setup: the answer carries a sign-in cookie, so the browser is a signed-in admin. */
export async function setupAdmin(
  server: TestServer,
  username = 'root',
): Promise<{ browser: Browser; id: string }> {
  const browser = new Browser(server.url);
  const res = await browser.post('/api/signup/setup', { username, email: `${username}@example.com` });
  expect(res.status).toBe(200);
  return { browser, id: res.json().id };
}

/**
 * A browser signed in as `userId`, through a session written straight to storage: the suites here
 * test user management, not the sign-in ceremonies (passkeys.contract.test.ts covers those).
 */
export async function signInAs(server: TestServer, userId: string): Promise<Browser> {
  const token = randomBytes(32).toString('base64url');
  const { storage } = server.app;
  await storage.database.withScope(() =>
    storage.sessions.insert({
      id: randomUUID(),
      userId,
      tokenHash: hashToken(token),
      amr: ['phr'],
      authTime: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
      ip: null,
      userAgent: null,
    }),
  );
  const browser = new Browser(server.url);
  browser.cookies.set('access_token', token);
  return browser;
}

let counter = 0;
/** A valid `POST /api/users` body with a unique username and email. */
export function aUserBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const username = `user${counter}-${randomBytes(3).toString('hex')}`;
  return { username, email: `${username}@example.com`, firstName: 'Test', lastName: 'User', ...overrides };
}
