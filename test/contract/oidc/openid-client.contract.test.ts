import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { Browser } from '../../support/browser.js';
import { startServer, type TestServer } from '../../support/server.js';
import { SoftwareAuthenticator } from '../../support/webauthn/authenticator.js';

/**
 * The whole sign-in as a real relying party sees it: openid-client (OpenID certified) discovers
 * Latchkey, sends the person to /authorize with PKCE S256, the person signs in with a passkey and
 * consents through the interaction API, and the app redeems the code and reads userinfo.
 */
describe.each(['fastify', 'express'] as const)('openid-client sign-in on %s', (httpHost) => {
  let server: TestServer;
  let person: Browser;
  const device = new SoftwareAuthenticator({ alg: 'ES256' });
  let clientId: string;
  let clientSecret: string;
  const redirectUri = 'http://127.0.0.1:8999/callback';

  beforeAll(async () => {
    server = await startServer({ httpHost });
    person = new Browser(server.url);
    const setup = await person.post('/api/signup/setup', {
      username: 'grace',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    expect(setup.status).toBe(200);
    const start = await person.get('/api/webauthn/register/start');
    expect(
      (
        await person.post(
          '/api/webauthn/register/finish',
          device.register(start.json(), { origin: server.url }),
        )
      ).status,
    ).toBe(200);
    const created = await person.post('/api/oidc/clients', {
      name: 'Demo app',
      callbackURLs: ['http://127.0.0.1/callback'],
    });
    expect(created.status).toBe(201);
    clientId = created.json().id;
    const secret = await person.post(`/api/oidc/clients/${clientId}/secrets`, {});
    expect(secret.status).toBe(201);
    clientSecret = secret.json().secret;
    expect(typeof clientSecret).toBe('string');
    // Sign out: the person signs in again with the passkey during the flow.
    await person.post('/api/webauthn/logout');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('signs in through /authorize, passkey, consent and the token endpoint', async () => {
    const config = await client.discovery(new URL(server.url), clientId, clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email groups',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(authUrl.origin + authUrl.pathname).toBe(`${server.url}/authorize`);

    // Not signed in: Latchkey sends the person to the interaction page.
    const first = await person.get(authUrl.pathname + authUrl.search);
    expect(first.status).toBe(302);
    const interactionPage = new URL(String(first.headers.location), server.url);
    expect(interactionPage.pathname).toBe('/interaction');
    const id = interactionPage.searchParams.get('interaction')!;
    const interaction = (await person.get(`/api/oidc/interactions/${id}`)).json();
    expect(interaction.requiredSteps).toEqual(['authenticate', 'consent']);

    // The page signs the person in with their passkey, then completes each step.
    const options = (await person.get('/api/webauthn/login/start')).json();
    expect(
      (await person.post('/api/webauthn/login/finish', device.authenticate(options, { origin: server.url })))
        .status,
    ).toBe(200);
    expect(
      (await person.post(`/api/oidc/interactions/${id}/complete`, { step: 'authenticate' })).status,
    ).toBe(200);
    const done = await person.post(`/api/oidc/interactions/${id}/complete`, { step: 'consent' });
    expect(done.status).toBe(200);
    // The page sends the browser back to /authorize, which delivers the code to the app.
    const resumed = await person.get(done.json().redirectUrl);
    expect(resumed.status).toBe(302);
    const callback = new URL(String(resumed.headers.location));
    expect(callback.searchParams.get('iss')).toBe(server.url);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: server.url,
      aud: clientId,
      email: 'grace@example.com',
      given_name: 'Grace',
      family_name: 'Hopper',
      preferred_username: 'grace',
      amr: ['phr'],
    });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, email: 'grace@example.com', groups: [] });
  });
});
