import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

const aSecret = (clientId: string, expiresAt: Date | null = null) => ({
  id: randomUUID(),
  clientId,
  hash: 'a'.repeat(64),
  alg: 'sha256' as const,
  prefix: 'abcd',
  expiresAt,
});

describeEachDialect('MikroOrmOidcClientRepository', (db) => {
  let s: MikroOrmStorage;

  beforeAll(async () => {
    s = await db.open();
  });

  it('inserts, finds, replaces and deletes clients; ids are unique', async () => {
    const client = await s.oidcClients.insert(
      aClient('crud-app', { callbackUrls: ['https://a/cb', 'https://b/cb'], accessTokenLifetimeMinutes: 5 }),
    );
    expect(await s.oidcClients.findById('crud-app')).toEqual(client);
    expect(client).toMatchObject({ clientType: 'standard', pkceSupported: false, logoType: null });
    await expect(s.oidcClients.insert(aClient('crud-app'))).rejects.toEqual(
      expect.objectContaining({ name: 'UniqueViolationError', field: 'id' }),
    );
    const updated = await s.oidcClients.update('crud-app', {
      ...aClient('crud-app', {
        name: 'Renamed',
        isPublic: true,
        pkceEnabled: true,
        backchannelLogoutUri: 'https://a/bc',
      }),
      pkceSupported: false,
    });
    expect(updated).toMatchObject({
      name: 'Renamed',
      isPublic: true,
      pkceEnabled: true,
      backchannelLogoutUri: 'https://a/bc',
      accessTokenLifetimeMinutes: null,
    });
    expect(await s.oidcClients.update('missing', aClient('missing'))).toBeNull();
    expect(await s.oidcClients.delete('crud-app')).toBe(true);
    expect(await s.oidcClients.delete('crud-app')).toBe(false);
    expect(await s.oidcClients.findById('crud-app')).toBeNull();
  });

  it("never serves another instance's outdated client or secrets from its cache", async () => {
    const other = await db.open();
    const creator = await addUser(s, `creator-${randomUUID().slice(0, 6)}`);
    await s.oidcClients.insert(aClient('cached-app', { createdById: creator }));
    const secret = aSecret('cached-app');
    await s.oidcClients.insertSecret(secret, 20);
    // Both instances read (and cache) the client and its secrets.
    for (const storage of [s, other]) {
      expect((await storage.oidcClients.findById('cached-app'))?.name).toBe('cached-app');
      expect((await storage.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toHaveLength(1);
    }
    // Each change made on one instance is seen by the other at its next read.
    await other.oidcClients.update('cached-app', {
      ...aClient('cached-app', { name: 'Renamed' }),
      pkceSupported: false,
    });
    expect((await s.oidcClients.findById('cached-app'))?.name).toBe('Renamed');
    await other.oidcClients.deleteSecret('cached-app', secret.id);
    expect((await s.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toBeUndefined();
    await other.oidcClients.insertSecret(aSecret('cached-app'), 20);
    expect((await s.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toHaveLength(1);
    // As a token request reads them: the client, then its secrets, in one unit of work. The client's
    // read notices the other instance's change; the secrets must not then be served from before it.
    await s.database.withScope(async () => {
      await s.oidcClients.findById('cached-app');
      expect((await s.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toHaveLength(1);
    });
    await other.oidcClients.insertSecret(aSecret('cached-app'), 20);
    await s.database.withScope(async () => {
      await s.oidcClients.findById('cached-app');
      expect((await s.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toHaveLength(2);
    });
    expect((await s.oidcClients.findById('cached-app'))?.createdById).toBe(creator);
    await other.users.delete(creator);
    expect((await s.oidcClients.findById('cached-app'))?.createdById).toBeNull();
    await other.oidcClients.delete('cached-app');
    expect(await s.oidcClients.findById('cached-app')).toBeNull();
    expect((await s.oidcClients.secretsOf(['cached-app'])).get('cached-app')).toBeUndefined();
    // A write that rolls back leaves nothing behind in either cache.
    await s.oidcClients.insert(aClient('rolled-back'));
    await expect(
      s.database.transaction(async () => {
        await other.oidcClients.findById('rolled-back');
        await s.oidcClients.update('rolled-back', {
          ...aClient('rolled-back', { name: 'Never' }),
          pkceSupported: false,
        });
        expect((await s.oidcClients.findById('rolled-back'))?.name).toBe('Never');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await s.oidcClients.findById('rolled-back'))?.name).toBe('rolled-back');
    // One unit of work checks the revision once, and still sees its own writes, in or out of a transaction.
    await s.database.withScope(async () => {
      expect((await s.oidcClients.findById('rolled-back'))?.name).toBe('rolled-back');
      await s.oidcClients.update('rolled-back', {
        ...aClient('rolled-back', { name: 'Mine' }),
        pkceSupported: false,
      });
      expect((await s.oidcClients.findById('rolled-back'))?.name).toBe('Mine');
      await s.oidcClients.delete('rolled-back');
      expect(await s.oidcClients.findById('rolled-back')).toBeNull();
    });
    await other.database.close();
  });

  it('records and clears each logo type on its own; a missing client gives null', async () => {
    await s.oidcClients.insert(aClient('logo-app'));
    expect(await s.oidcClients.setLogoType('logo-app', 'light', 'png')).toMatchObject({
      logoType: 'png',
      darkLogoType: null,
    });
    expect(await s.oidcClients.setLogoType('logo-app', 'dark', 'svg')).toMatchObject({
      logoType: 'png',
      darkLogoType: 'svg',
    });
    expect(await s.oidcClients.setLogoType('logo-app', 'light', null)).toMatchObject({
      logoType: null,
      darkLogoType: 'svg',
    });
    expect(await s.oidcClients.findById('logo-app')).toMatchObject({ logoType: null, darkLogoType: 'svg' });
    expect(await s.oidcClients.setLogoType('missing', 'light', 'png')).toBeNull();
  });

  it('stores a registration per client and replaces its metadata; it goes with the client', async () => {
    await s.oidcClients.insert(aClient('dcr-app'));
    const metadata = {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
    await s.clientRegistrations.insert({ clientId: 'dcr-app', accessTokenHash: 'f'.repeat(64), metadata });
    expect(await s.clientRegistrations.find('dcr-app')).toMatchObject({
      clientId: 'dcr-app',
      accessTokenHash: 'f'.repeat(64),
      metadata,
    });
    const next = { ...metadata, scope: 'openid email', logo_uri: 'https://a/logo.png' };
    expect(await s.clientRegistrations.updateMetadata('dcr-app', next)).toBe(true);
    expect((await s.clientRegistrations.find('dcr-app'))!.metadata).toEqual(next);
    expect(await s.clientRegistrations.updateMetadata('missing', next)).toBe(false);
    await s.oidcClients.delete('dcr-app');
    expect(await s.clientRegistrations.find('dcr-app')).toBeNull();
  });

  it('lists with search, filters and sorts, counting allowed groups', async () => {
    await s.oidcClients.insert(aClient('list-Zeta', { name: 'list Zeta', skipConsent: true }));
    await s.oidcClients.insert(aClient('list-alpha', { name: 'list alpha', pkceEnabled: true }));
    await s.oidcClients.insert(aClient('list-mid', { name: 'list Mid_dle', pkceEnabled: true }));
    const g = await s.userGroups.insert({ id: randomUUID(), name: 'list-g1', friendlyName: 'G1' });
    const h = await s.userGroups.insert({ id: randomUUID(), name: 'list-g2', friendlyName: 'G2' });
    await s.oidcClients.setAllowedGroups('list-mid', [g.id, h.id, randomUUID()]);
    await s.oidcClients.setAllowedGroups('list-alpha', [g.id]);

    const byName = await s.oidcClients.list(
      { search: 'list', sort: { column: 'name', direction: 'asc' } },
      0,
      10,
    );
    expect(byName.map((c) => c.name)).toEqual(['list alpha', 'list Mid_dle', 'list Zeta']);
    expect(await s.oidcClients.count({ search: 'mid_' })).toBe(1);
    expect(await s.oidcClients.count({ search: 'd%' })).toBe(0);
    const pkce = await s.oidcClients.list({ filters: { pkceEnabled: [true] } }, 0, 10);
    expect(pkce.map((c) => c.id).sort()).toEqual(['list-alpha', 'list-mid']);
    expect(await s.oidcClients.count({ filters: { skipConsent: [true], clientType: ['standard'] } })).toBe(1);
    const byCount = await s.oidcClients.list(
      { search: 'list', sort: { column: 'allowedUserGroupsCount', direction: 'desc' } },
      0,
      2,
    );
    expect(byCount.map((c) => c.id)).toEqual(['list-mid', 'list-alpha']);
    expect(await s.oidcClients.allowedGroupCounts(['list-mid', 'list-alpha', 'list-Zeta'])).toEqual(
      new Map([
        ['list-mid', 2],
        ['list-alpha', 1],
      ]),
    );
    const groups = await s.oidcClients.allowedGroupsOf(['list-mid']);
    expect(groups.get('list-mid')?.map((x) => x.name)).toEqual(['list-g1', 'list-g2']);
    // a deleted group leaves its clients
    await s.userGroups.delete(h.id);
    expect((await s.oidcClients.allowedGroupCounts(['list-mid'])).get('list-mid')).toBe(1);
    await s.oidcClients.setAllowedGroups('list-mid', []);
    expect((await s.oidcClients.allowedGroupsOf(['list-mid'])).has('list-mid')).toBe(false);
  });

  it('stores secrets up to the limit, newest first, and deletes them', async () => {
    await s.oidcClients.insert(aClient('sec-app'));
    const first = await s.oidcClients.insertSecret(aSecret('sec-app', new Date(Date.now() + 60_000)), 2);
    expect(first.status).toBe('inserted');
    await new Promise((r) => setTimeout(r, 5)); // distinct createdAt for the order below
    const second = await s.oidcClients.insertSecret(aSecret('sec-app'), 2);
    expect((await s.oidcClients.insertSecret(aSecret('sec-app'), 2)).status).toBe('limit_reached');
    expect((await s.oidcClients.insertSecret(aSecret('nope'), 2)).status).toBe('client_not_found');
    const listed = (await s.oidcClients.secretsOf(['sec-app'])).get('sec-app')!;
    expect(listed.map((x) => x.id)).toEqual([
      second.status === 'inserted' ? second.secret.id : '',
      first.status === 'inserted' ? first.secret.id : '',
    ]);
    expect(listed[1]).toMatchObject({ alg: 'sha256', prefix: 'abcd', hash: 'a'.repeat(64) });
    expect(listed[1]!.expiresAt).toBeInstanceOf(Date);
    expect(await s.oidcClients.deleteSecret('other', listed[0]!.id)).toBe(false);
    expect(await s.oidcClients.deleteSecret('sec-app', listed[0]!.id)).toBe(true);
    expect((await s.oidcClients.secretsOf(['sec-app'])).get('sec-app')).toHaveLength(1);
  });

  it('never exceeds the secret limit under concurrent inserts', async () => {
    await s.oidcClients.insert(aClient('race-app'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        s.database.withScope(() => s.oidcClients.insertSecret(aSecret('race-app'), 3)),
      ),
    );
    expect(results.filter((r) => r.status === 'inserted')).toHaveLength(3);
    expect((await s.oidcClients.secretsOf(['race-app'])).get('race-app')).toHaveLength(3);
  });

  it('deleting a client removes its secrets and group links', async () => {
    await s.oidcClients.insert(aClient('cascade-app'));
    const g = await s.userGroups.insert({ id: randomUUID(), name: 'cascade-g', friendlyName: 'C' });
    await s.oidcClients.setAllowedGroups('cascade-app', [g.id]);
    await s.oidcClients.insertSecret(aSecret('cascade-app'), 20);
    await s.oidcClients.delete('cascade-app');
    const em = s.orm.em.fork();
    const secrets = await em
      .getConnection()
      .execute("select * from oidc_client_secrets where client_id = 'cascade-app'");
    const links = await em
      .getConnection()
      .execute("select * from oidc_client_allowed_groups where client_id = 'cascade-app'");
    expect(secrets).toHaveLength(0);
    expect(links).toHaveLength(0);
    expect(await s.userGroups.findById(g.id)).not.toBeNull();
  });
});
