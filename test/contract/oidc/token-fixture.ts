import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser } from '../../support/browser.js';
import { postgresAvailable, type Dialect } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { setupAdmin } from '../accounts/account-helpers.js';

/**
 * A running Latchkey with a signed-in admin, a browser session of theirs, and codes written straight to
 * storage (the authorize side has its own suites), for the suites of the token lifecycle: refresh,
 * client credentials, introspection, revocation, authorized clients.
 */
export const TOKEN_MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const satisfies readonly (readonly ['fastify' | 'express', Dialect])[];

export const insecure = { [oauth.allowInsecureRequests]: true };
export const CALLBACK = 'https://rp.example.com/cb';
export const FULL_SCOPE = 'openid profile email groups offline_access';

export interface AppClient {
  id: string;
  secret: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  expires_in?: number;
  token_type?: string;
}

export interface TokenFixture {
  server: TestServer;
  admin: Browser;
  adminId: string;
  sessionId: string;
  as: oauth.AuthorizationServer;
  /** A confidential client, another one, and a public one. */
  rp: AppClient;
  other: AppClient;
  spa: AppClient;
  createClient(body: Record<string, unknown>, withSecret: boolean): Promise<AppClient>;
  /** Stores a code for `rp` and the admin (overridable) and returns its value. */
  aCode(overrides?: Record<string, unknown>): Promise<string>;
  /** Redeems a fresh code (for `client`, default `rp`) and returns the token response body. */
  tokensFor(overrides?: Record<string, unknown>, client?: AppClient): Promise<TokenSet>;
  /** POSTs a form to an endpoint, authenticated with Basic as `client` unless `client` is null. */
  post(path: string, form: Record<string, string>, client?: AppClient | null): Promise<Response>;
  userinfo(accessToken: string): Promise<Response>;
  introspect(token: string, client?: AppClient): Promise<Record<string, unknown>>;
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export async function expectOAuthError(res: Response, status: number, error: string): Promise<void> {
  const body = (await res.json()) as { error: string };
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  expect(res.headers.get('cache-control')).toBe('no-store');
}

/**
 * Declares the suite's server (in `beforeAll`) and returns an accessor; undefined when the dialect's
 * database is not there (PostgreSQL down: the tests skip themselves).
 */
export function useTokenFixture(
  httpHost: 'fastify' | 'express',
  dialect: Dialect,
): () => TokenFixture | undefined {
  let fixture: TokenFixture | undefined;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    const server = await startServer({ httpHost, dialect });
    const { browser: admin, id: adminId } = await setupAdmin(server);
    const as = await oauth.processDiscoveryResponse(
      new URL(server.url),
      await oauth.discoveryRequest(new URL(server.url), insecure),
    );
    const { storage } = server.app;
    const sessionId = randomUUID();
    await storage.database.withScope(() =>
      storage.sessions.insert({
        id: sessionId,
        userId: adminId,
        tokenHash: hashToken(randomUUID()),
        amr: ['phr'],
        authTime: new Date(Date.now() - 60_000),
        expiresAt: new Date(Date.now() + 3_600_000),
        ip: null,
        userAgent: null,
      }),
    );

    const createClient = async (body: Record<string, unknown>, withSecret: boolean) => {
      const res = await admin.post('/api/oidc/clients', {
        name: `App ${randomUUID().slice(0, 8)}`,
        callbackURLs: [CALLBACK],
        ...body,
      });
      expect(res.status).toBe(201);
      const id = res.json().id as string;
      if (!withSecret) return { id, secret: '' };
      const secret = await admin.post(`/api/oidc/clients/${id}/secrets`, {});
      expect(secret.status).toBe(201);
      return { id, secret: secret.json().secret as string };
    };
    const rp = await createClient({}, true);

    const aCode = async (overrides: Record<string, unknown> = {}) => {
      const code = randomBytes(32).toString('base64url');
      const now = new Date();
      await storage.database.withScope(() =>
        storage.authorizationCodes.insert({
          codeHash: hashToken(code),
          clientId: rp.id,
          userId: adminId,
          sessionId,
          redirectUri: CALLBACK,
          scope: FULL_SCOPE,
          nonce: 'nonce-with-entropy',
          codeChallenge: null,
          codeChallengeMethod: null,
          authTime: new Date(now.getTime() - 60_000),
          amr: ['phr'],
          claims: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + 15 * 60_000),
          ...overrides,
        }),
      );
      return code;
    };

    const post = (path: string, form: Record<string, string>, client: AppClient | null = rp) => {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (client) headers.authorization = basic(client.id, client.secret);
      return fetch(`${server.url}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(form).toString(),
      });
    };

    const tokensFor = async (overrides: Record<string, unknown> = {}, client: AppClient = rp) => {
      const code = await aCode({ clientId: client.id, ...overrides });
      const res = await post(
        '/api/oidc/token',
        { grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
        client,
      );
      expect(res.status).toBe(200);
      return (await res.json()) as TokenSet;
    };

    fixture = {
      server,
      admin,
      adminId,
      sessionId,
      as,
      rp,
      other: await createClient({}, true),
      spa: await createClient({ isPublic: true }, false),
      createClient,
      aCode,
      tokensFor,
      post,
      userinfo: (accessToken) =>
        fetch(`${server.url}/api/oidc/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }),
      async introspect(token, client = rp) {
        const res = await post('/api/oidc/introspect', { token }, client);
        expect(res.status).toBe(200);
        return (await res.json()) as Record<string, unknown>;
      },
    };
  });
  afterAll(async () => {
    await fixture?.server.stop();
  });

  return () => fixture;
}
