import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable, type Dialect } from '../../support/databases.js';
import type { RawResponse } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';
import { SoftwareAuthenticator } from '../../support/webauthn/authenticator.js';
import { setupAdmin } from '../accounts/account-helpers.js';

/** Both HTTP hosts on SQLite, and PostgreSQL once: every authorize-side suite runs on these. */
export const OIDC_MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

export const CALLBACK = 'https://rp.example.com/cb';
export const STATE = 'state-with-enough-entropy';

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `/authorize?…` with a code request's usual parameters; `params` adds or overrides. */
export function authorizePath(params: Record<string, string>): string {
  return `/authorize?${new URLSearchParams({
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile',
    state: STATE,
    ...params,
  }).toString()}`;
}

/** An unsecured JWT (`alg` `none`), as a request object. */
export function unsignedJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'none' },
) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part(header)}.${part(claims)}.`;
}

/**
 * A running server with a signed-in admin who owns a passkey (so they can re-authenticate), and small
 * helpers to drive `/authorize` and the interaction API as the interaction page would.
 */
export class AuthorizeFixture {
  private counter = 0;

  private constructor(
    readonly server: TestServer,
    readonly admin: Browser,
    readonly adminId: string,
    readonly device: SoftwareAuthenticator,
  ) {}

  /** Null when the dialect's database is not reachable (the suite then skips). */
  static async start(httpHost: 'fastify' | 'express', dialect: Dialect): Promise<AuthorizeFixture | null> {
    if (dialect === 'postgres' && !(await postgresAvailable())) return null;
    const server = await startServer({ httpHost, dialect });
    const { browser: admin, id } = await setupAdmin(server);
    const device = new SoftwareAuthenticator();
    const start = await admin.get('/api/webauthn/register/start');
    const finish = await admin.post(
      '/api/webauthn/register/finish',
      device.register(start.json(), { origin: server.url }),
    );
    expect(finish.status).toBe(200);
    return new AuthorizeFixture(server, admin, id, device);
  }

  get url(): string {
    return this.server.url;
  }

  browser(): Browser {
    return new Browser(this.server.url);
  }

  /** Creates a client (callback CALLBACK) and, unless public, a secret. */
  async createClient(
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; name: string; secret: string }> {
    this.counter += 1;
    const name = `RP ${this.counter} ${randomUUID().slice(0, 6)}`;
    const res = await this.admin.post('/api/oidc/clients', { name, callbackURLs: [CALLBACK], ...overrides });
    expect(res.status).toBe(201);
    const id = res.json().id as string;
    if (overrides.isPublic) return { id, name, secret: '' };
    const secret = await this.admin.post(`/api/oidc/clients/${id}/secrets`, {});
    expect(secret.status).toBe(201);
    return { id, name, secret: secret.json().secret as string };
  }

  /** The `Location` of a 302, resolved against the server. */
  location(res: RawResponse): URL {
    expect(res.status).toBe(302);
    return new URL(String(res.headers.location), this.server.url);
  }

  /** The interaction id of a 302 to `/interaction?interaction=<id>`. */
  interactionOf(res: RawResponse): string {
    const url = this.location(res);
    expect(url.pathname).toBe('/interaction');
    return url.searchParams.get('interaction')!;
  }

  complete(browser: Browser, id: string, step: string) {
    return browser.post(`/api/oidc/interactions/${id}/complete`, { step });
  }

  /** Gets a re-authentication token cookie into `browser` with a fresh assertion of the admin's passkey. */
  async reauthenticate(browser: Browser): Promise<void> {
    const options = (await browser.get('/api/webauthn/login/start')).json();
    const res = await browser.post(
      '/api/webauthn/reauthenticate',
      this.device.authenticate(options, { origin: this.server.url }),
    );
    expect(res.status).toBe(204);
  }

  /** Follows a finished interaction's `redirectUrl` through `/authorize` to the answer. */
  async resume(browser: Browser, completed: RawResponse): Promise<RawResponse> {
    expect(completed.status).toBe(200);
    const { redirectUrl } = completed.json() as { redirectUrl: string };
    expect(redirectUrl).toMatch(/^\/authorize\?interaction=/);
    return browser.get(redirectUrl);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
