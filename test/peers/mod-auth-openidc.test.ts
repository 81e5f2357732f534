import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apacheAvailable,
  apacheRedirectUri,
  parseClaimsPage,
  startApacheRp,
  type ApacheRp,
} from '../support/apache.js';
import { Browser } from '../support/browser.js';
import { postgresAvailable } from '../support/databases.js';
import { freePort, startServer, type TestServer } from '../support/server.js';
import { SoftwareAuthenticator } from '../support/webauthn/authenticator.js';

/**
 * Issue 12: sign-in through Apache httpd's mod_auth_openidc (Debian 2.4.12), an OpenID certified
 * relying party, all the way to its protected page showing our claims. Apache discovers Latchkey, sends
 * the person to /authorize (code flow, nonce, state cookie), the person signs in with a passkey and
 * consents through the interaction API, Apache redeems the code with client_secret_basic, checks the
 * RS256 ID token (nonce, at_hash, iss), reads userinfo and serves the page, which prints what it got.
 *
 * Two Apache instances per server: `strict` sends PKCE S256 to a client that requires it; `plain` runs
 * the package's defaults (no PKCE) against a client that does not require it.
 *
 * Two cookie jars stand in for one browser: cookies are per host, and Apache (127.0.0.1) and Latchkey
 * (localhost, which WebAuthn needs) are different hosts.
 */
const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
] as const;

const available = apacheAvailable();
// mod_auth_openidc redirects only what looks like a browser's navigation; anything else gets a 401.
const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe.skipIf(!available).each(MATRIX)('mod_auth_openidc sign-in on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  const apaches: Partial<Record<'strict' | 'plain', ApacheRp>> = {};
  let person: Browser;
  let userId: string;
  const device = new SoftwareAuthenticator({ alg: 'ES256' });

  /** Registers a confidential client for an Apache on a fresh port, then starts that Apache. */
  const startRp = async (name: string, pkce: boolean): Promise<ApacheRp> => {
    const port = await freePort();
    const created = await person.post('/api/oidc/clients', {
      name,
      callbackURLs: [apacheRedirectUri(port)],
      pkceEnabled: pkce,
      // mod_auth_openidc's own back-channel logout endpoint: it ends the Apache session with that sid.
      backchannelLogoutURI: `${apacheRedirectUri(port)}?logout=backchannel`,
    });
    expect(created.status).toBe(201);
    const clientId = created.json().id as string;
    const secret = await person.post(`/api/oidc/clients/${clientId}/secrets`, {});
    expect(secret.status).toBe(201);
    return startApacheRp({
      port,
      issuer: server!.url,
      clientId,
      clientSecret: secret.json().secret,
      scope: 'openid email profile groups',
      pkce,
    });
  };

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    person = new Browser(server.url);
    const setup = await person.post('/api/signup/setup', {
      username: 'grace',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    expect(setup.status).toBe(200);
    userId = setup.json().id;
    const start = await person.get('/api/webauthn/register/start');
    const registered = await person.post(
      '/api/webauthn/register/finish',
      device.register(start.json(), { origin: server.url }),
    );
    expect(registered.status).toBe(200);
    const group = await person.post('/api/user-groups', { name: 'staff', friendlyName: 'Staff' });
    expect(group.status).toBe(201);
    const members = await person.request({
      method: 'PUT',
      path: `/api/user-groups/${group.json().id}/users`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userIds: [userId] }),
    });
    expect(members.status).toBe(200);
    apaches.strict = await startRp('Apache (PKCE)', true);
    apaches.plain = await startRp('Apache (defaults)', false);
    // Signed out: the person signs in again with the passkey during the first flow.
    await person.post('/api/webauthn/logout');
  });
  afterAll(async () => {
    await apaches.strict?.stop();
    await apaches.plain?.stop();
    await server?.stop();
  });

  /**
   * One visit to Apache's protected page in a fresh Apache session: out to our /authorize, through
   * `steps` (the interaction's required steps, none when Latchkey answers at once), back to Apache's
   * redirect URI and on to the page. Returns the claims the page shows.
   */
  const visit = async (apache: ApacheRp, steps: string[]): Promise<Record<string, string>> => {
    const rp = new Browser(apache.url);
    const log = async () => `\n--- Apache error log:\n${await apache.errorLog()}`;

    const first = await rp.get(apache.protectedPath, NAVIGATION);
    expect(first.status, await log()).toBe(302);
    const authorize = new URL(String(first.headers.location));
    expect(authorize.origin + authorize.pathname).toBe(`${server!.url}/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      scope: 'openid email profile groups',
      redirect_uri: apache.redirectUri,
    });
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('state')).toBeTruthy();
    const pkce = apache === apaches.strict ? 'S256' : null;
    expect(authorize.searchParams.get('code_challenge_method')).toBe(pkce);

    let atLatchkey = await person.get(authorize.pathname + authorize.search, NAVIGATION);
    expect(atLatchkey.status).toBe(302);
    if (steps.length > 0) {
      const interactionPage = new URL(String(atLatchkey.headers.location), server!.url);
      expect(interactionPage.pathname).toBe('/interaction');
      const id = interactionPage.searchParams.get('interaction')!;
      const interaction = (await person.get(`/api/oidc/interactions/${id}`)).json();
      expect(interaction.requiredSteps).toEqual(steps);
      let done;
      for (const step of steps) {
        if (step === 'authenticate') {
          const options = (await person.get('/api/webauthn/login/start')).json();
          const signedIn = await person.post(
            '/api/webauthn/login/finish',
            device.authenticate(options, { origin: server!.url }),
          );
          expect(signedIn.status).toBe(200);
        }
        done = await person.post(`/api/oidc/interactions/${id}/complete`, { step });
        expect(done.status).toBe(200);
      }
      // The page sends the browser back to /authorize, which now delivers the code.
      atLatchkey = await person.get(done!.json().redirectUrl, NAVIGATION);
      expect(atLatchkey.status).toBe(302);
    }
    const callback = new URL(String(atLatchkey.headers.location));
    expect(callback.origin + callback.pathname).toBe(apache.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('iss')).toBe(server!.url);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    // Apache redeems the code, validates the ID token, reads userinfo and returns to the page.
    const redeemed = await rp.get(callback.pathname + callback.search, NAVIGATION);
    expect(redeemed.status, await log()).toBe(302);
    expect(new URL(String(redeemed.headers.location), apache.url).pathname).toBe(apache.protectedPath);
    const page = await rp.get(apache.protectedPath, NAVIGATION);
    expect(page.status, await log()).toBe(200);

    // Apache's own session now stands: the page answers again without a trip to Latchkey.
    const again = await rp.get(apache.protectedPath, NAVIGATION);
    expect(again.status).toBe(200);
    expect(again.text).toBe(page.text);
    return parseClaimsPage(page.text);
  };

  const expectOurClaims = (claims: Record<string, string>) =>
    expect(claims).toEqual({
      REMOTE_USER: `${userId}@${server!.url}`,
      OIDC_CLAIM_iss: server!.url,
      OIDC_CLAIM_sub: userId,
      OIDC_CLAIM_email: 'grace@example.com',
      OIDC_CLAIM_email_verified: '0',
      OIDC_CLAIM_preferred_username: 'grace',
      OIDC_CLAIM_name: 'Grace Hopper',
      OIDC_CLAIM_given_name: 'Grace',
      OIDC_CLAIM_family_name: 'Hopper',
      OIDC_CLAIM_groups: 'staff',
    });

  it('signs in with PKCE S256: passkey, consent, code, to the protected page showing our claims', async ({
    skip,
  }) => {
    if (!server) return skip();
    expectOurClaims(await visit(apaches.strict!, ['authenticate', 'consent']));
  });

  it("signs in with the package's defaults (no PKCE): still signed in at Latchkey, only consent", async ({
    skip,
  }) => {
    if (!server) return skip();
    expectOurClaims(await visit(apaches.plain!, ['consent']));
  });

  it('a fresh Apache session goes straight through: signed in and consent remembered', async ({ skip }) => {
    if (!server) return skip();
    expectOurClaims(await visit(apaches.strict!, []));
  });

  it('back-channel logout: signing out at Latchkey ends the Apache session too', async ({ skip }) => {
    if (!server) return skip();
    const apache = apaches.strict!;
    const rp = new Browser(apache.url);
    // An Apache session of its own, through a Latchkey that still has the person signed in.
    const first = await rp.get(apache.protectedPath, NAVIGATION);
    const authorize = new URL(String(first.headers.location));
    const atLatchkey = await person.get(authorize.pathname + authorize.search, NAVIGATION);
    const callback = new URL(String(atLatchkey.headers.location));
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect((await rp.get(callback.pathname + callback.search, NAVIGATION)).status).toBe(302);
    expect((await rp.get(apache.protectedPath, NAVIGATION)).status).toBe(200);

    // Signing out at Latchkey sends Apache a logout token for that session (delivered in the
    // background): Apache then sends the person back to Latchkey instead of serving the page.
    expect((await person.post('/api/webauthn/logout')).status).toBe(204);
    let status = 200;
    for (let attempt = 0; attempt < 100 && status === 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await rp.get(apache.protectedPath, NAVIGATION)).status;
    }
    expect(status, `\n--- Apache error log:\n${await apache.errorLog()}`).toBe(302);
  });
});
