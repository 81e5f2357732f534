import { randomUUID } from 'node:crypto';
import type { NewAuditLogEntry } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { addUser, describeEachDialect } from '../test-support.js';

const DAY = 86_400_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

const anEntry = (userId: string | null, overrides: Partial<NewAuditLogEntry> = {}): NewAuditLogEntry => ({
  id: randomUUID(),
  event: 'SIGN_IN',
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  country: null,
  city: null,
  data: {},
  userId,
  createdAt: at(0),
  ...overrides,
});

describeEachDialect('MikroOrmAuditLogRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let bob = '';
  const page = { offset: 0, limit: 100 };

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    bob = await addUser(a, 'bob');
    await a.auditLogs.insert(anEntry(alice, { createdAt: at(1), country: 'Internal Network', city: 'LAN' }));
    await a.auditLogs.insert(
      anEntry(alice, { event: 'CLIENT_AUTHORIZATION', createdAt: at(2), data: { clientName: 'Grafana' } }),
    );
    await a.auditLogs.insert(
      anEntry(bob, {
        event: 'NEW_CLIENT_AUTHORIZATION',
        createdAt: at(3),
        data: { clientName: 'Immich' },
        country: 'Germany',
        city: 'Berlin',
        ipAddress: null,
        userAgent: null,
      }),
    );
    await a.auditLogs.insert(
      anEntry(bob, { event: 'CLIENT_AUTHORIZATION', createdAt: at(4), data: { clientName: 'Grafana' } }),
    );
  });

  it('round-trips an entry, data and nulls included, and lists newest first', async () => {
    const all = await b.auditLogs.list({}, page);
    expect(all.map((e) => e.createdAt)).toEqual([at(4), at(3), at(2), at(1)]);
    expect(all[1]).toMatchObject({
      event: 'NEW_CLIENT_AUTHORIZATION',
      data: { clientName: 'Immich' },
      ipAddress: null,
      userAgent: null,
      country: 'Germany',
      city: 'Berlin',
      userId: bob,
      username: 'bob',
    });
    expect(await b.auditLogs.count({})).toBe(4);
  });

  it('filters by owner, event, user, client name and location', async () => {
    expect(await a.auditLogs.count({ ownerId: alice })).toBe(2);
    const own = await a.auditLogs.list({ ownerId: alice, events: ['SIGN_IN'] }, page);
    expect(own).toHaveLength(1);
    expect(own[0]!.userId).toBe(alice);
    expect(await a.auditLogs.count({ userIds: [bob] })).toBe(2);
    expect(await a.auditLogs.count({ events: ['CLIENT_AUTHORIZATION', 'SIGN_IN'] })).toBe(3);
    expect(await a.auditLogs.count({ clientNames: ['Grafana'] })).toBe(2);
    expect(await a.auditLogs.count({ clientNames: ['Grafana'], userIds: [alice] })).toBe(1);
    expect(await a.auditLogs.count({ locations: ['internal'] })).toBe(1);
    expect(await a.auditLogs.count({ locations: ['external'] })).toBe(3);
    expect(await a.auditLogs.count({ locations: ['internal', 'external'] })).toBe(4);
  });

  it('sorts and pages', async () => {
    const byEvent = await a.auditLogs.list({}, { ...page, sort: { column: 'event', direction: 'asc' } });
    expect(byEvent.map((e) => e.event)).toEqual([
      'CLIENT_AUTHORIZATION',
      'CLIENT_AUTHORIZATION',
      'NEW_CLIENT_AUTHORIZATION',
      'SIGN_IN',
    ]);
    const second = await a.auditLogs.list(
      {},
      { offset: 1, limit: 2, sort: { column: 'createdAt', direction: 'asc' } },
    );
    expect(second.map((e) => e.createdAt)).toEqual([at(2), at(3)]);
  });

  it('lists distinct client names and the users with entries', async () => {
    expect(await b.auditLogs.clientNames()).toEqual(['Grafana', 'Immich']);
    expect(await b.auditLogs.users()).toEqual({ [alice]: 'alice', [bob]: 'bob' });
  });

  it('keeps entries of a deleted user, without a user', async () => {
    const carol = await addUser(a, 'carol');
    const entry = anEntry(carol, { createdAt: at(5), event: 'PASSKEY_ADDED' });
    await a.auditLogs.insert(entry);
    await a.orm.em.getConnection().execute('delete from users where id = ?', [carol]);
    const [found] = await a.auditLogs.list({ events: ['PASSKEY_ADDED'] }, page);
    expect(found).toMatchObject({ id: entry.id, userId: null, username: null });
    expect(Object.values(await a.auditLogs.users())).not.toContain('carol');
  });

  it('deletes entries strictly older than the cut-off and says how many', async () => {
    expect(await b.auditLogs.deleteOlderThan(at(2))).toBe(1);
    expect(await b.auditLogs.deleteOlderThan(at(2))).toBe(0);
    expect((await a.auditLogs.list({}, page)).map((e) => e.createdAt)).toEqual([at(5), at(4), at(3), at(2)]);
  });
});
