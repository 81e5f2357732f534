import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '@latchkey/core';
import { Browser } from '../../support/browser.js';
import { startServer, type TestServer } from '../../support/server.js';
import { aUserBody, setupAdmin, signInAs } from '../accounts/account-helpers.js';

/**
 * Walks the whole route table of a running server and checks, for every route and method, that
 * anonymous callers, a user (cookie and API key) and an admin (cookie and API key) each get exactly
 * what the route's declared auth level allows (ARCHITECTURE: auth levels). A route added without a
 * level, or with a wrong one, fails here.
 */
const LEVELS = new Set(['public', 'user', 'browser', 'admin', 'client', 'bearer']);
const REFUSALS = new Set(['not_signed_in', 'forbidden', 'api_key_auth_not_allowed']);

type Caller = 'anonymous' | 'userCookie' | 'userKey' | 'adminCookie' | 'adminKey';

/** The refusal code each caller must get, or 'allowed' (any answer that is not an auth refusal). */
function expected(route: RouteDef, caller: Caller): string {
  const keysAllowed = route.apiKey !== false;
  switch (route.auth) {
    case 'public':
      return 'allowed';
    case 'user':
      if (caller === 'anonymous') return 'not_signed_in';
      if (caller.endsWith('Key') && !keysAllowed) return 'api_key_auth_not_allowed';
      return 'allowed';
    case 'browser':
      if (caller === 'anonymous') return 'not_signed_in';
      if (caller.endsWith('Key')) return 'api_key_auth_not_allowed';
      return 'allowed';
    case 'admin':
      if (caller === 'anonymous') return 'not_signed_in';
      if (caller.endsWith('Key') && !keysAllowed) return 'api_key_auth_not_allowed';
      if (caller.startsWith('user')) return 'forbidden';
      return 'allowed';
    default:
      throw new Error(`${route.name}: '${route.auth}' routes are covered by the protocol suites`);
  }
}

describe.each(['fastify', 'express'] as const)('authorization matrix on %s', (httpHost) => {
  let server: TestServer;
  const callers = {} as Record<Caller, () => Promise<Browser>>;

  beforeAll(async () => {
    server = await startServer({ httpHost });
    const admin = await setupAdmin(server);
    const created = await admin.browser.post('/api/users', aUserBody());
    expect(created.status).toBe(201);
    const userId = created.json().id;
    const keyFor = async (browser: Browser) => {
      const res = await browser.post('/api/api-keys', {
        name: 'matrix',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      expect(res.status).toBe(201);
      return res.json().token as string;
    };
    const userKey = await keyFor(await signInAs(server, userId));
    const adminKey = await keyFor(admin.browser);
    const withKey = (key: string) => {
      const b = new Browser(server.url);
      const request = b.request.bind(b);
      b.request = (req) => request({ ...req, headers: { 'x-api-key': key, ...req.headers } });
      return b;
    };
    // A fresh session per request: a route such as logout must not end the session later rows use.
    callers.anonymous = async () => new Browser(server.url);
    callers.userCookie = () => signInAs(server, userId);
    callers.adminCookie = () => signInAs(server, admin.id);
    callers.userKey = async () => withKey(userKey);
    callers.adminKey = async () => withKey(adminKey);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('declares a known auth level on every route', () => {
    for (const route of server.app.http.routes) expect(LEVELS.has(route.auth), route.name).toBe(true);
  });

  it('gives every caller exactly what each route allows', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of server.app.http.routes) {
      if (route.auth === 'client' || route.auth === 'bearer') continue;
      for (const method of [route.method].flat()) {
        const path = route.path
          .replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000')
          .replace('*', 'x');
        for (const caller of Object.keys(callers) as Caller[]) {
          const browser = await callers[caller]();
          const body = route.body === 'json' ? '{}' : route.body === 'form' ? '' : undefined;
          const contentType =
            route.body === 'json'
              ? 'application/json'
              : route.body === 'form'
                ? 'application/x-www-form-urlencoded'
                : undefined;
          const res = await browser.request({
            method,
            path,
            headers: contentType ? { 'content-type': contentType } : {},
            body,
          });
          let code = 'allowed';
          if (res.status === 401 || res.status === 403) {
            const parsed = res.body.length ? res.json() : {};
            if (REFUSALS.has(parsed.code)) code = parsed.code;
          }
          const want = expected(route, caller);
          if (code !== want)
            mismatches.push(
              `${method} ${route.path} as ${caller}: got ${code} (${res.status}), want ${want}`,
            );
          expect(res.status, `${method} ${route.path} as ${caller}`).toBeLessThan(500);
          checked++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
