import { describe, expect, it } from 'vitest';
import { aUserBody, signInAs } from '../accounts/account-helpers.js';
import { expectOAuthError, TOKEN_MATRIX, useTokenFixture } from './token-fixture.js';

/** A user's authorized clients (Pocket ID's `/api/oidc/users/{me,:id}/authorized-clients`). */
describe.each(TOKEN_MATRIX)('authorized clients on %s with %s', (httpHost, dialect) => {
  const get = useTokenFixture(httpHost, dialect);

  /** A new user who has consented to `clientIds` (most recent last) and holds tokens for each. */
  const aUserWithApps = async (clientIds: string[]) => {
    const f = get()!;
    const created = await f.admin.post('/api/users', aUserBody());
    expect(created.status).toBe(201);
    const userId = created.json().id as string;
    const { storage } = f.server.app;
    const t0 = Date.now();
    for (const [i, clientId] of clientIds.entries()) {
      await storage.database.withScope(() =>
        storage.consents.grant(userId, clientId, ['openid', 'email'], new Date(t0 + i * 1000)),
      );
    }
    return { userId, browser: await signInAs(f.server, userId) };
  };

  it('lists the clients a user authorized, newest use first, for them and for an admin', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const launchable = await f.createClient({ launchURL: 'https://app.example.com' }, true);
    const { userId, browser } = await aUserWithApps([f.rp.id, launchable.id]);

    const mine = await browser.get('/api/oidc/users/me/authorized-clients');
    expect(mine.status).toBe(200);
    const body = mine.json();
    expect(body.pagination).toEqual({ totalPages: 1, totalItems: 2, currentPage: 1, itemsPerPage: 20 });
    expect(body.data.map((e: { client: { id: string } }) => e.client.id)).toEqual([launchable.id, f.rp.id]);
    expect(body.data[0]).toMatchObject({
      scope: 'openid email',
      client: {
        id: launchable.id,
        launchURL: 'https://app.example.com',
        hasLogo: false,
        clientType: 'standard',
      },
    });
    expect(Date.parse(body.data[0].lastUsedAt)).not.toBeNaN();

    const oldestFirst = await browser.get(
      '/api/oidc/users/me/authorized-clients?sort[column]=lastUsedAt&sort[direction]=asc',
    );
    expect(oldestFirst.json().data.map((e: { client: { id: string } }) => e.client.id)).toEqual([
      f.rp.id,
      launchable.id,
    ]);
    const withLaunch = await browser.get('/api/oidc/users/me/authorized-clients?filters[hasLaunchURL]=true');
    expect(withLaunch.json().data.map((e: { client: { id: string } }) => e.client.id)).toEqual([
      launchable.id,
    ]);

    const asAdmin = await f.admin.get(`/api/oidc/users/${userId}/authorized-clients`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.json().data).toEqual(body.data);
    const unknown = await f.admin.get(
      '/api/oidc/users/00000000-0000-4000-8000-000000000000/authorized-clients',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('user_not_found');
    expect((await browser.get(`/api/oidc/users/${userId}/authorized-clients`)).status).toBe(403);
    expect((await fetch(`${f.server.url}/api/oidc/users/me/authorized-clients`)).status).toBe(401);
  });

  it('revoking a client removes the consent and every token the user holds for it', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const { userId, browser } = await aUserWithApps([f.rp.id, f.other.id]);
    const tokens = await f.tokensFor({ userId, sessionId: null });
    const kept = await f.tokensFor({ userId, sessionId: null }, f.other);

    const res = await browser.delete(`/api/oidc/users/me/authorized-clients/${f.rp.id}`);
    expect(res.status).toBe(204);
    const left = (await browser.get('/api/oidc/users/me/authorized-clients')).json();
    expect(left.data.map((e: { client: { id: string } }) => e.client.id)).toEqual([f.other.id]);
    expect((await f.userinfo(tokens.access_token)).status).toBe(401);
    expect(await f.introspect(tokens.refresh_token!)).toEqual({ active: false });
    await expectOAuthError(
      await f.post('/api/oidc/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
      400,
      'invalid_grant',
    );
    // The other client's authorization is untouched.
    expect((await f.userinfo(kept.access_token)).status).toBe(200);

    const again = await browser.delete(`/api/oidc/users/me/authorized-clients/${f.rp.id}`);
    expect(again.status).toBe(404);
    expect(again.json()).toMatchObject({ code: 'not_found', details: { resource: 'Client authorization' } });
  });

  it('revokes the tokens of a client the user never consented to (skipConsent)', async ({ skip }) => {
    const f = get();
    if (!f) return skip();
    const skipper = await f.createClient({ skipConsent: true }, true);
    const { userId, browser } = await aUserWithApps([]);
    const tokens = await f.tokensFor({ userId, sessionId: null }, skipper);
    const res = await browser.delete(`/api/oidc/users/me/authorized-clients/${skipper.id}`);
    expect(res.status).toBe(204);
    expect((await f.userinfo(tokens.access_token)).status).toBe(401);
  });
});
