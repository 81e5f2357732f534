import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '@latchkey/core';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { aUserBody, put } from '../accounts/account-helpers.js';
import {
  CALLBACK,
  expectOAuthError,
  FULL_SCOPE,
  insecure,
  TOKEN_MATRIX,
  useTokenFixture,
} from './token-fixture.js';

/**
 * The refresh_token grant (RFC 6749 §6) with rotation and replay detection (RFC 9700 §4.14.2), and
 * the revocation of a replayed code's tokens (RFC 6749 §4.1.2), driven by oauth4webapi and
 * openid-client.
 */
describe.each(TOKEN_MATRIX)('refresh tokens on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);

  const refresh = (refreshToken: string, extra: Record<string, string> = {}, as = get()!.rp) =>
    get()!.post(
      '/api/oidc/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
      as,
    );

  it('rotates the refresh token and issues new tokens that keep the original authentication', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const first = await f.tokensFor();
    expect(first.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const firstId = decodeJwt(first.id_token!);

    const res = await oauth.refreshTokenGrantRequest(
      f.as,
      { client_id: f.rp.id },
      oauth.ClientSecretBasic(f.rp.secret),
      first.refresh_token!,
      insecure,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const second = await oauth.processRefreshTokenResponse(f.as, { client_id: f.rp.id }, res);
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.scope).toBe(FULL_SCOPE);

    // OIDC Core §12.2: same iss, sub, aud and auth_time; no nonce; a fresh iat.
    const jwks = createRemoteJWKSet(new URL(`${f.server.url}/.well-known/jwks.json`));
    const id = (await jwtVerify(second.id_token!, jwks, { issuer: f.server.url, audience: f.rp.id })).payload;
    expect(id).toMatchObject({
      sub: f.adminId,
      auth_time: firstId.auth_time,
      amr: ['phr'],
      sid: f.sessionId,
    });
    expect(id.nonce).toBeUndefined();
    const info = await f.userinfo(second.access_token);
    expect(info.status).toBe(200);
    expect(((await info.json()) as { sub: string }).sub).toBe(f.adminId);
  });

  it('revokes the whole family when a used refresh token comes back', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const first = await f.tokensFor();
    const second = (await (await refresh(first.refresh_token!)).json()) as {
      refresh_token: string;
      access_token: string;
    };
    await expectOAuthError(await refresh(first.refresh_token!), 400, 'invalid_grant');
    // The replay revoked what the rotation issued, and the access tokens of the grant.
    await expectOAuthError(await refresh(second.refresh_token), 400, 'invalid_grant');
    for (const token of [first.access_token, second.access_token]) {
      const info = await f.userinfo(token);
      expect(info.status).toBe(401);
      expect(info.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await f.introspect(token)).toEqual({ active: false });
    }
  });

  it('narrows the scope on request, never widens it, and keeps the grant for later refreshes', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const first = await f.tokensFor();
    const narrowed = await refresh(first.refresh_token!, { scope: 'openid email' });
    expect(narrowed.status).toBe(200);
    const body = (await narrowed.json()) as { scope: string; access_token: string; refresh_token: string };
    expect(body.scope).toBe('openid email');
    expect(decodeJwt(body.access_token)).toMatchObject({ scope: 'openid email', scp: ['openid', 'email'] });

    // A wider scope is invalid_scope and burns nothing: the same token still works afterwards.
    await expectOAuthError(
      await refresh(body.refresh_token, { scope: 'openid admin' }),
      400,
      'invalid_scope',
    );
    // authlib re-sends the original scope, offline_access included: the whole grant is still there.
    const again = await refresh(body.refresh_token, { scope: FULL_SCOPE });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { scope: string }).scope).toBe(FULL_SCOPE);
  });

  it("refuses another client's refresh token without spending it", async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    await expectOAuthError(await refresh(tokens.refresh_token!, {}, f.other), 400, 'invalid_grant');
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it('re-checks the user at every refresh: disabled, or no longer in an allowed group', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const { storage } = f.server.app;
    const created = await f.admin.post('/api/users', aUserBody());
    expect(created.status).toBe(201);
    const userId = created.json().id as string;
    const mine = await f.tokensFor({ userId, sessionId: null });
    await storage.database.withScope(() => storage.users.update(userId, { disabled: true }));
    await expectOAuthError(await refresh(mine.refresh_token!), 400, 'invalid_grant');

    const group = await f.admin.post('/api/user-groups', {
      name: `ops-${randomUUID().slice(0, 6)}`,
      friendlyName: 'Ops',
    });
    expect(group.status).toBe(201);
    const groupId = group.json().id as string;
    expect((await put(f.admin, `/api/user-groups/${groupId}/users`, { userIds: [f.adminId] })).status).toBe(
      200,
    );
    const restricted = await f.createClient({ isGroupRestricted: true }, true);
    expect(
      (
        await put(f.admin, `/api/oidc/clients/${restricted.id}/allowed-user-groups`, {
          userGroupIds: [groupId],
        })
      ).status,
    ).toBe(200);
    const tokens = await f.tokensFor({}, restricted);
    const ok = (await (await refresh(tokens.refresh_token!, {}, restricted)).json()) as {
      refresh_token: string;
    };
    expect((await put(f.admin, `/api/user-groups/${groupId}/users`, { userIds: [] })).status).toBe(200);
    await expectOAuthError(await refresh(ok.refresh_token, {}, restricted), 400, 'invalid_grant');
  });

  it('refuses unknown, expired and missing refresh tokens, and resource indicators', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    await expectOAuthError(await refresh('never-issued'), 400, 'invalid_grant');
    await expectOAuthError(
      await f.post('/api/oidc/token', { grant_type: 'refresh_token' }),
      400,
      'invalid_request',
    );
    const tokens = await f.tokensFor();
    await expectOAuthError(
      await refresh(tokens.refresh_token!, { resource: 'https://api.example.com' }),
      400,
      'invalid_target',
    );

    // A family whose only token has expired.
    const { storage } = f.server.app;
    const expired = randomBytes(32).toString('base64url');
    const past = new Date(Date.now() - 60_000);
    await storage.database.withScope(() =>
      storage.refreshTokens.createFamily(
        {
          id: randomUUID(),
          clientId: f.rp.id,
          userId: f.adminId,
          sessionId: null,
          scope: 'openid',
          authTime: past,
          amr: ['phr'],
          createdAt: new Date(past.getTime() - 60_000),
          expiresAt: past,
        },
        { tokenHash: hashToken(expired), createdAt: new Date(past.getTime() - 60_000), expiresAt: past },
      ),
    );
    await expectOAuthError(await refresh(expired), 400, 'invalid_grant');
  });

  it("applies the client's access and refresh token lifetimes", async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const short = await f.createClient(
      { accessTokenDurationMinutes: 5, refreshTokenDurationMinutes: 10 },
      true,
    );
    const tokens = await f.tokensFor({}, short);
    expect(tokens.expires_in).toBe(300);
    const at = decodeJwt(tokens.access_token);
    expect(at.exp! - at.iat!).toBe(300);
    const rt = await f.introspect(tokens.refresh_token!, short);
    expect(rt.active).toBe(true);
    expect((rt.exp as number) - (rt.iat as number)).toBe(600);
    const refreshed = (await (await refresh(tokens.refresh_token!, {}, short)).json()) as {
      expires_in: number;
    };
    expect(refreshed.expires_in).toBe(300);
  });

  it('keeps a family at least as long as its newest token, rewriting its expiry only when it falls short', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const short = await f.createClient(
      { accessTokenDurationMinutes: 5, refreshTokenDurationMinutes: 10 },
      true,
    );
    const { storage } = f.server.app;
    const stored = (refreshToken: string) =>
      storage.database.withScope(() => storage.refreshTokens.find(hashToken(refreshToken)));
    const first = await f.tokensFor({}, short);
    const started = (await stored(first.refresh_token!))!.family.expiresAt.getTime();
    // The rotation's token outlives the family's first expiry (a later second): extended, with a quarter
    // of the 10-minute lifetime to spare.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = (await (await refresh(first.refresh_token!, {}, short)).json()) as {
      refresh_token: string;
    };
    const afterSecond = (await stored(second.refresh_token))!;
    expect(afterSecond.family.expiresAt.getTime()).toBeGreaterThan(afterSecond.token.expiresAt.getTime());
    expect(afterSecond.family.expiresAt.getTime()).toBeGreaterThanOrEqual(started + 150_000);
    // The next rotation is covered by that headroom: the family's row stays as it was.
    const third = (await (await refresh(second.refresh_token, {}, short)).json()) as {
      refresh_token: string;
    };
    const afterThird = (await stored(third.refresh_token))!;
    expect(afterThird.family.expiresAt).toEqual(afterSecond.family.expiresAt);
    expect(afterThird.family.expiresAt.getTime()).toBeGreaterThanOrEqual(
      afterThird.token.expiresAt.getTime(),
    );
  });

  it('lets exactly one of 20 parallel uses of a refresh token succeed, and treats the rest as replays', async ({
    skip,
  }) => {
    const f = get();
    if (!f) return skip();
    const tokens = await f.tokensFor();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await refresh(tokens.refresh_token!);
        return { status: res.status, body: (await res.json()) as { error?: string; refresh_token?: string } };
      }),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400 && a.body.error === 'invalid_grant')).toHaveLength(19);
    // The losers replayed a used token, so the family (the winner's new token too) is revoked.
    await expectOAuthError(await refresh(won[0]!.body.refresh_token!), 400, 'invalid_grant');
  });

  it('revokes the tokens of the first redemption when a code is redeemed again', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const code = await f.aCode();
    const redeem = () =>
      f.post('/api/oidc/token', { grant_type: 'authorization_code', code, redirect_uri: CALLBACK });
    const first = await redeem();
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect((await f.userinfo(tokens.access_token)).status).toBe(200);
    await expectOAuthError(await redeem(), 400, 'invalid_grant');
    expect((await f.userinfo(tokens.access_token)).status).toBe(401);
    expect(await f.introspect(tokens.access_token)).toEqual({ active: false });
    await expectOAuthError(await refresh(tokens.refresh_token), 400, 'invalid_grant');
  });

  it('a failed check does not spend the code: a wrong client cannot burn it', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const code = await f.aCode();
    const form = { grant_type: 'authorization_code', code, redirect_uri: CALLBACK };
    await expectOAuthError(await f.post('/api/oidc/token', form, f.other), 400, 'invalid_grant');
    expect((await f.post('/api/oidc/token', form)).status).toBe(200);
  });

  it('works with openid-client end to end: code, refresh, userinfo', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const config = await client.discovery(new URL(f.server.url), f.rp.id, f.rp.secret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const code = await f.aCode();
    const tokens = await client.authorizationCodeGrant(
      config,
      new URL(`${CALLBACK}?code=${code}&iss=${encodeURIComponent(f.server.url)}`),
      { expectedNonce: 'nonce-with-entropy', idTokenExpected: true },
    );
    expect(tokens.refresh_token).toBeDefined();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: f.adminId, aud: f.rp.id });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const info = await client.fetchUserInfo(config, refreshed.access_token, f.adminId);
    expect(info).toMatchObject({ sub: f.adminId, preferred_username: 'root' });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
