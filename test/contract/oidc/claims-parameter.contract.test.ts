import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put } from '../accounts/account-helpers.js';
import {
  AuthorizeFixture,
  authorizePath,
  CALLBACK,
  OIDC_MATRIX,
  pkce,
  STATE,
  unsignedJwt,
} from './authorize-helpers.js';

/** Asks for single claims without their scopes, and for one the user lacks and one nobody knows. */
const CLAIMS = {
  id_token: { email: { essential: true }, groups: null, team: null, shoe_size: null },
  userinfo: { given_name: null, groups: { essential: false } },
};

/**
 * The `claims` request parameter (OIDC Core §5.5) through openid-client (OpenID certified): in the
 * query, through PAR, in an unsigned request object, kept through an interaction and through refresh,
 * and refused (redirected `invalid_request`) when malformed.
 */
describe.each(OIDC_MATRIX)('the claims parameter on %s with %s', (httpHost, dialect) => {
  let f: AuthorizeFixture | null = null;
  let rp: { id: string; name: string; secret: string };
  let config: client.Configuration;

  beforeAll(async () => {
    f = await AuthorizeFixture.start(httpHost, dialect);
    if (!f) return;
    rp = await f.createClient({ skipConsent: true });
    const { storage } = f.server.app;
    await storage.database.withScope(() =>
      storage.users.update(f!.adminId, { firstName: 'Ada', lastName: 'Lovelace' }),
    );
    const group = await f.admin.post('/api/user-groups', { name: 'staff', friendlyName: 'Staff' });
    expect(group.status).toBe(201);
    const members = await put(f.admin, `/api/user-groups/${group.json().id}/users`, { userIds: [f.adminId] });
    expect(members.status).toBe(200);
    const claims = await put(f.admin, `/api/custom-claims/user/${f.adminId}`, [
      { key: 'team', value: 'core' },
    ]);
    expect(claims.status).toBe(200);
    config = await client.discovery(new URL(f.url), rp.id, rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** Follows an authorization URL as the signed-in admin and redeems the code with openid-client. */
  const signIn = async (url: URL, verifier: string, state: string) => {
    const answer = f!.location(await f!.admin.get(url.pathname + url.search));
    expect(`${answer.origin}${answer.pathname}`).toBe(CALLBACK);
    return client.authorizationCodeGrant(config, answer, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
  };

  const expectRequestedClaims = async (
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  ) => {
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({
      sub: f!.adminId,
      email: 'root@example.com',
      groups: ['staff'],
      team: 'core',
    });
    // Only what was asked for: not the rest of the email scope, nothing of profile, no unknown claim.
    for (const absent of ['email_verified', 'given_name', 'preferred_username', 'shoe_size']) {
      expect(idToken).not.toHaveProperty(absent);
    }
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, f!.adminId);
    expect(userinfo).toEqual({ sub: f!.adminId, given_name: 'Ada', groups: ['staff'] });
  };

  it('is advertised: claims_parameter_supported', ({ skip }) => {
    if (!f) return skip();
    expect(config.serverMetadata().claims_parameter_supported).toBe(true);
  });

  it('releases the requested claims the user has, without their scopes, in the ID token and userinfo', async ({
    skip,
  }) => {
    if (!f) return skip();
    const { verifier, challenge } = pkce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      claims: JSON.stringify(CLAIMS),
    });
    const tokens = await signIn(url, verifier, state);
    expect(tokens.scope).toBe('openid');
    await expectRequestedClaims(tokens);

    // The grant keeps the request: a refreshed ID token and its access token answer the same.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ email: 'root@example.com', groups: ['staff'], team: 'core' });
    await expectRequestedClaims(refreshed);
  });

  it('takes the parameter through PAR and in an unsigned request object', async ({ skip }) => {
    if (!f) return skip();
    const pushedPkce = pkce();
    const state = client.randomState();
    const pushed = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      state,
      code_challenge: pushedPkce.challenge,
      code_challenge_method: 'S256',
      claims: JSON.stringify(CLAIMS),
    });
    await expectRequestedClaims(await signIn(pushed, pushedPkce.verifier, state));

    // A request object carries `claims` as a JSON object (OIDC Core §6.1).
    const objectPkce = pkce();
    const request = unsignedJwt({
      client_id: rp.id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: STATE,
      code_challenge: objectPkce.challenge,
      code_challenge_method: 'S256',
      claims: CLAIMS,
    });
    const url = new URL(`${f.url}/authorize?${new URLSearchParams({ client_id: rp.id, request })}`);
    await expectRequestedClaims(await signIn(url, objectPkce.verifier, STATE));
  });

  it('keeps the request while the person consents in an interaction', async ({ skip }) => {
    if (!f) return skip();
    const consenting = await f.createClient();
    const path = authorizePath({
      client_id: consenting.id,
      scope: 'openid',
      claims: JSON.stringify({ id_token: { email: null } }),
    });
    const id = f.interactionOf(await f.admin.get(path));
    const answer = f.location(await f.resume(f.admin, await f.complete(f.admin, id, 'consent')));
    const res = await f.admin.request({
      method: 'POST',
      path: '/api/oidc/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${consenting.id}:${consenting.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.searchParams.get('code')!,
        redirect_uri: CALLBACK,
      }).toString(),
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json().id_token)).toMatchObject({ email: 'root@example.com' });
  });

  it('answers for the sub an ID token request names only (§5.5.1.1)', async ({ skip }) => {
    if (!f) return skip();
    const forSomeoneElse = JSON.stringify({ id_token: { sub: { value: 'someone-else' } } });
    const none = f.location(
      await f.admin.get(authorizePath({ client_id: rp.id, prompt: 'none', claims: forSomeoneElse })),
    );
    expect(Object.fromEntries(none.searchParams)).toMatchObject({ error: 'login_required', state: STATE });
    // Without prompt=none the person is asked which account to use.
    const id = f.interactionOf(
      await f.admin.get(authorizePath({ client_id: rp.id, claims: forSomeoneElse })),
    );
    expect((await f.admin.get(`/api/oidc/interactions/${id}`)).json().requiredSteps).toContain(
      'select_account',
    );
    // ... and confirming the account that is not the one named gets no code.
    const confirmed = await f.resume(f.admin, await f.complete(f.admin, id, 'select_account'));
    expect(f.location(confirmed).searchParams.get('error')).toBe('login_required');

    const forMe = JSON.stringify({ id_token: { sub: { value: f.adminId } } });
    const mine = f.location(await f.admin.get(authorizePath({ client_id: rp.id, claims: forMe })));
    expect(mine.searchParams.get('code')).toBeTruthy();
  });

  it('redirects invalid_request for a malformed claims parameter', async ({ skip }) => {
    if (!f) return skip();
    for (const claims of [
      'not json',
      '[]',
      '{"userinfo":["email"]}',
      '{"id_token":{"email":{"essential":1}}}',
    ]) {
      const answer = f.location(await f.admin.get(authorizePath({ client_id: rp.id, claims })));
      expect(`${answer.origin}${answer.pathname}`).toBe(CALLBACK);
      expect(Object.fromEntries(answer.searchParams)).toMatchObject({
        error: 'invalid_request',
        state: STATE,
        iss: f.url,
      });
      expect(answer.searchParams.get('code')).toBeNull();
    }
  });
});
