import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { expectOAuthError, TOKEN_MATRIX, useTokenFixture } from './token-fixture.js';

/** The client_credentials grant (RFC 6749 §4.4) with RFC 9068 access tokens, through openid-client. */
describe.each(TOKEN_MATRIX)('client_credentials on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);

  it('gives a confidential client an access token about itself: no user, refresh or ID token', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const app = await f.createClient({ accessTokenDurationMinutes: 15 }, true);
    const config = await client.discovery(new URL(f.server.url), app.id, app.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.scope).toBe('');
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(`${f.server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: f.server.url,
      audience: app.id,
      typ: 'at+jwt',
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      sub: app.id,
      client_id: app.id,
      aud: [app.id],
      gty: 'client_credentials',
    });
    expect(payload.scope).toBeUndefined();
    expect(payload.exp! - payload.iat!).toBe(900);

    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: app.id, sub: app.id, token_type: 'Bearer' });
    expect(info.username).toBeUndefined();
    // No openid scope, no user: userinfo has nothing to say.
    const userinfo = await f.userinfo(tokens.access_token);
    expect(userinfo.status).toBe(403);
    expect(userinfo.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it("revokes a client's own token (RFC 7009) once, and only when the client itself asks", async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const discover = (app: { id: string; secret?: string }) =>
      client.discovery(new URL(f.server.url), app.id, app.secret, undefined, {
        execute: [client.allowInsecureRequests],
      });
    const mine = await discover(await f.createClient({}, true));
    const other = await discover(await f.createClient({}, true));
    const { access_token: token } = await client.clientCredentialsGrant(mine);
    const { access_token: untouched } = await client.clientCredentialsGrant(mine);
    expect(token).not.toBe(untouched);

    // Another client's revocation changes nothing (RFC 7009 §2.1), and says nothing either.
    await client.tokenRevocation(other, token);
    expect((await client.tokenIntrospection(mine, token)).active).toBe(true);

    await client.tokenRevocation(mine, token);
    expect((await client.tokenIntrospection(mine, token)).active).toBe(false);
    // A second revocation is still a 200, and the token stays revoked; its sibling stays active.
    await client.tokenRevocation(mine, token, { token_type_hint: 'access_token' });
    expect((await client.tokenIntrospection(mine, token)).active).toBe(false);
    expect((await client.tokenIntrospection(mine, untouched)).active).toBe(true);
    const userinfo = await f.userinfo(token);
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('drops identity scopes, refuses any other scope, and refuses resource indicators', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const grant = (form: Record<string, string>) =>
      f.post('/api/oidc/token', { grant_type: 'client_credentials', ...form });
    const identity = await grant({ scope: 'openid profile email groups offline_access' });
    expect(identity.status).toBe(200);
    expect(((await identity.json()) as { scope: string }).scope).toBe('');
    await expectOAuthError(await grant({ scope: 'openid admin' }), 400, 'invalid_scope');
    await expectOAuthError(await grant({ resource: 'https://api.example.com' }), 400, 'invalid_target');
  });

  it('refuses public clients and bad credentials', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    await expectOAuthError(
      await f.post('/api/oidc/token', { grant_type: 'client_credentials', client_id: f.spa.id }, null),
      400,
      'unauthorized_client',
    );
    await expectOAuthError(
      await f.post(
        '/api/oidc/token',
        { grant_type: 'client_credentials' },
        { id: f.rp.id, secret: 'wrong-secret' },
      ),
      401,
      'invalid_client',
    );
  });
});
