import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import {
  CALLBACK,
  expectOAuthError,
  FULL_SCOPE,
  insecure,
  TOKEN_MATRIX,
  useTokenFixture,
  type TokenSet,
} from './token-fixture.js';

/** Introspection (RFC 7662) and revocation (RFC 7009), through openid-client and oauth4webapi. */
describe.each(TOKEN_MATRIX)('introspection and revocation on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);

  const configFor = (app: { id: string; secret: string }) =>
    client.discovery(new URL(get()!.server.url), app.id, app.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });

  it('advertises both endpoints with their client authentication methods', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    expect(f.as.introspection_endpoint).toBe(`${f.server.url}/api/oidc/introspect`);
    expect(f.as.introspection_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
    expect(f.as.revocation_endpoint).toBe(`${f.server.url}/api/oidc/revoke`);
    expect(f.as.revocation_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
  });

  it("introspects the calling client's access and refresh tokens, and nothing of anyone else's", async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    const config = await configFor(f.rp);
    const access = await client.tokenIntrospection(config, tokens.access_token);
    expect(access).toMatchObject({
      active: true,
      scope: FULL_SCOPE,
      client_id: f.rp.id,
      username: 'root',
      token_type: 'Bearer',
      sub: f.adminId,
      aud: [f.rp.id, f.server.url],
      iss: f.server.url,
    });
    expect(typeof access.jti).toBe('string');
    expect(access.exp! - access.iat!).toBe(3600);

    const refresh = await client.tokenIntrospection(config, tokens.refresh_token!, {
      token_type_hint: 'refresh_token',
    });
    expect(refresh).toMatchObject({
      active: true,
      scope: FULL_SCOPE,
      client_id: f.rp.id,
      username: 'root',
      sub: f.adminId,
      iss: f.server.url,
    });
    expect(refresh.exp! - refresh.iat!).toBe(43_200 * 60);
    // A wrong hint only orders the search.
    expect((await f.introspect(tokens.refresh_token!)).active).toBe(true);
    const wrongHint = await f.post('/api/oidc/introspect', {
      token: tokens.access_token,
      token_type_hint: 'refresh_token',
    });
    expect(((await wrongHint.json()) as { active: boolean }).active).toBe(true);

    const otherConfig = await configFor(f.other);
    expect(await client.tokenIntrospection(otherConfig, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(otherConfig, tokens.refresh_token!)).toEqual({ active: false });
    expect(await f.introspect('never-issued')).toEqual({ active: false });
    expect(await f.introspect('a.b.c')).toEqual({ active: false });
    // A used refresh token is no longer active.
    const rotated = await f.post('/api/oidc/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(rotated.status).toBe(200);
    expect(await f.introspect(tokens.refresh_token!)).toEqual({ active: false });
  });

  it('refuses public clients, unauthenticated callers and malformed introspection requests', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    await expectOAuthError(
      await f.post('/api/oidc/introspect', { token: tokens.access_token, client_id: f.spa.id }, null),
      401,
      'invalid_client',
    );
    await expectOAuthError(
      await f.post('/api/oidc/introspect', { token: tokens.access_token }, null),
      401,
      'invalid_client',
    );
    await expectOAuthError(
      await f.post('/api/oidc/introspect', { token: 'x' }, { id: f.rp.id, secret: 'wrong-secret' }),
      401,
      'invalid_client',
    );
    await expectOAuthError(await f.post('/api/oidc/introspect', {}), 400, 'invalid_request');
    const repeated = await fetch(`${f.server.url}/api/oidc/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${f.rp.id}:${f.rp.secret}`).toString('base64')}`,
      },
      body: 'token=a&token=b',
    });
    await expectOAuthError(repeated, 400, 'invalid_request');
  });

  it('revokes one access token: userinfo and introspection refuse it, the grant lives on', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    await client.tokenRevocation(await configFor(f.rp), tokens.access_token, {
      token_type_hint: 'access_token',
    });
    const info = await f.userinfo(tokens.access_token);
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await f.introspect(tokens.access_token)).toEqual({ active: false });
    const refreshed = await f.post('/api/oidc/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(refreshed.status).toBe(200);
  });

  it('revokes a refresh token with its family and the access tokens issued from it', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const first = await f.tokensFor();
    const second = (await (
      await f.post('/api/oidc/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token! })
    ).json()) as TokenSet;
    // The hint is wrong on purpose: the server must look further (RFC 7009 §2.1).
    const res = await oauth.revocationRequest(
      f.as,
      { client_id: f.rp.id },
      oauth.ClientSecretPost(f.rp.secret),
      second.refresh_token!,
      { ...insecure, additionalParameters: { token_type_hint: 'access_token' } },
    );
    await oauth.processRevocationResponse(res);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await expectOAuthError(
      await f.post('/api/oidc/token', { grant_type: 'refresh_token', refresh_token: second.refresh_token! }),
      400,
      'invalid_grant',
    );
    for (const token of [first.access_token, second.access_token]) {
      expect((await f.userinfo(token)).status).toBe(401);
    }
  });

  it("answers 200 and changes nothing for another client's, unknown or missing-auth tokens", async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const res = await f.post('/api/oidc/revoke', { token }, f.other);
      expect(res.status).toBe(200);
      expect((await f.introspect(token)).active).toBe(true);
    }
    expect((await f.post('/api/oidc/revoke', { token: 'never-issued' })).status).toBe(200);
    expect((await f.post('/api/oidc/revoke', { token: 'x', token_type_hint: 'id_token' })).status).toBe(200);
    await expectOAuthError(await f.post('/api/oidc/revoke', {}), 400, 'invalid_request');
    await expectOAuthError(await f.post('/api/oidc/revoke', { token: 'x' }, null), 401, 'invalid_client');
    await expectOAuthError(
      await f.post('/api/oidc/revoke', { token: 'x' }, { id: f.rp.id, secret: 'wrong-secret' }),
      401,
      'invalid_client',
    );
  });

  it('lets a public client revoke its own refresh token with client_id only', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const verifier = oauth.generateRandomCodeVerifier();
    const code = await f.aCode({
      clientId: f.spa.id,
      codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
      codeChallengeMethod: 'S256',
    });
    const res = await f.post(
      '/api/oidc/token',
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: f.spa.id,
        code_verifier: verifier,
      },
      null,
    );
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as TokenSet;
    const config = await client.discovery(new URL(f.server.url), f.spa.id, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    await client.tokenRevocation(config, tokens.refresh_token!);
    await expectOAuthError(
      await f.post(
        '/api/oidc/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: f.spa.id },
        null,
      ),
      400,
      'invalid_grant',
    );
    expect((await f.userinfo(tokens.access_token)).status).toBe(401);
  });
});
