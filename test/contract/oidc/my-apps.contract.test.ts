import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../../support/browser.js';
import { postgresAvailable, type Dialect } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { aUserBody, put, setupAdmin, signInAs } from '../accounts/account-helpers.js';

/**
 * "My apps": `GET /api/oidc/users/me/clients` (pocket-id-api.md §4.11), the clients a user may sign in
 * to (unrestricted ones, and restricted ones that allow one of the user's groups) with when the user
 * last used each; on both HTTP hosts and both databases.
 */
const MATRIX = [
  ['fastify', 'sqlite'],
  ['express', 'sqlite'],
  ['fastify', 'postgres'],
  ['express', 'postgres'],
] as const satisfies readonly (readonly ['fastify' | 'express', Dialect])[];

interface AppEntry {
  id: string;
  name: string;
  launchURL: string | null;
  requiresReauthentication: boolean;
  lastUsedAt: string | null;
}

describe.each(MATRIX)('my apps on %s with %s', (httpHost, dialect) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let user: Browser;
  let userId: string;
  /** Client ids by role. */
  const apps: Record<string, string> = {};

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect });
    ({ browser: admin } = await setupAdmin(server));
    const created = await admin.post('/api/users', aUserBody());
    expect(created.status).toBe(201);
    userId = created.json().id;
    user = await signInAs(server, userId);

    const group = async (name: string, members: string[]) => {
      const res = await admin.post('/api/user-groups', { name, friendlyName: name });
      expect(res.status).toBe(201);
      const id = res.json().id as string;
      expect((await put(admin, `/api/user-groups/${id}/users`, { userIds: members })).status).toBe(200);
      return id;
    };
    const mine = await group('staff', [userId]);
    const others = await group('others', []);

    const client = async (name: string, body: Record<string, unknown>, groups?: string[]) => {
      const res = await admin.post('/api/oidc/clients', {
        name,
        callbackURLs: ['https://rp.example.com/cb'],
        ...body,
      });
      expect(res.status).toBe(201);
      const id = res.json().id as string;
      if (groups) {
        const set = await put(admin, `/api/oidc/clients/${id}/allowed-user-groups`, { userGroupIds: groups });
        expect(set.status).toBe(200);
      }
      return id;
    };
    apps.wiki = await client('wiki', { launchURL: 'https://wiki.example.com' });
    apps.grafana = await client('Grafana', {
      launchURL: 'https://grafana.example.com',
      requiresReauthentication: true,
    });
    apps.noLaunch = await client('Backend', {});
    apps.staffOnly = await client('Staff portal', { isGroupRestricted: true }, [mine]);
    apps.othersOnly = await client('Others only', { isGroupRestricted: true }, [others]);
    apps.nobody = await client('Nobody', { isGroupRestricted: true }, []);

    // The user used Grafana most recently, then the staff portal; the rest never.
    const { storage } = server.app;
    const t0 = Date.now() - 60_000;
    await storage.database.withScope(async () => {
      await storage.consents.grant(userId, apps.staffOnly!, ['openid'], new Date(t0));
      await storage.consents.grant(userId, apps.grafana!, ['openid', 'email'], new Date(t0 + 1000));
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const list = async (query = '') => {
    const res = await user.get(`/api/oidc/users/me/clients${query}`);
    expect(res.status).toBe(200);
    return res.json() as { data: AppEntry[]; pagination: Record<string, number> };
  };
  const names = (body: { data: AppEntry[] }) => body.data.map((e) => e.name);

  it('lists the unrestricted clients and those allowing one of my groups, most recently used first', async ({
    skip,
  }) => {
    if (!server) return skip();
    const body = await list();
    // Used ones by last use, then never-used ones by name (ignoring case).
    expect(names(body)).toEqual(['Grafana', 'Staff portal', 'Backend', 'wiki']);
    expect(body.pagination).toEqual({ totalPages: 1, totalItems: 4, currentPage: 1, itemsPerPage: 20 });
    const grafana = body.data[0]!;
    expect(grafana).toEqual({
      id: apps.grafana,
      name: 'Grafana',
      description: null,
      hasLogo: false,
      hasDarkLogo: false,
      launchURL: 'https://grafana.example.com',
      // Pocket ID's AccessibleOidcClientDto always says false here.
      requiresReauthentication: false,
      clientType: 'standard',
      lastUsedAt: expect.any(String),
    });
    expect(Date.parse(grafana.lastUsedAt!)).toBeGreaterThan(Date.parse(body.data[1]!.lastUsedAt!));
    expect(body.data.find((e) => e.name === 'wiki')!.lastUsedAt).toBeNull();
  });

  it('filters by launch URL and the client fields, searches names, sorts and pages', async ({ skip }) => {
    if (!server) return skip();
    expect(names(await list('?filters[hasLaunchURL]=true'))).toEqual(['Grafana', 'wiki']);
    expect(names(await list('?filters[hasLaunchURL]=false'))).toEqual(['Staff portal', 'Backend']);
    expect(names(await list('?filters[isGroupRestricted]=true'))).toEqual(['Staff portal']);
    expect(names(await list('?filters[clientType]=standard&search=WI'))).toEqual(['wiki']);
    expect(names(await list('?search=100%25'))).toEqual([]);
    // A value that is not a boolean matches nothing, and is no server error.
    expect(names(await list('?filters[skipConsent]=maybe'))).toEqual([]);
    expect(names(await list('?sort[column]=name&sort[direction]=desc'))).toEqual([
      'wiki',
      'Staff portal',
      'Grafana',
      'Backend',
    ]);
    expect(names(await list('?sort[column]=lastUsedAt&sort[direction]=asc'))).toEqual([
      'Staff portal',
      'Grafana',
      'Backend',
      'wiki',
    ]);
    const second = await list('?pagination[page]=2&pagination[limit]=3');
    expect(names(second)).toEqual(['wiki']);
    expect(second.pagination).toEqual({ totalPages: 2, totalItems: 4, currentPage: 2, itemsPerPage: 3 });
  });

  it('follows group changes and revocations, and needs a signed-in user', async ({ skip }) => {
    if (!server) return skip();
    const res = await user.delete(`/api/oidc/users/me/authorized-clients/${apps.grafana}`);
    expect(res.status).toBe(204);
    const grafana = (await list()).data.find((e) => e.id === apps.grafana)!;
    // Still an app of mine (nothing restricts it), but no longer authorized.
    expect(grafana.lastUsedAt).toBeNull();

    const groups = (await admin.get('/api/user-groups?search=others')).json().data as { id: string }[];
    expect((await put(admin, `/api/user-groups/${groups[0]!.id}/users`, { userIds: [userId] })).status).toBe(
      200,
    );
    expect(names(await list())).toContain('Others only');
    expect(names(await list())).not.toContain('Nobody');

    const anonymous = await fetch(`${server.url}/api/oidc/users/me/clients`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('not_signed_in');
  });
});
