import { randomUUID } from 'node:crypto';
import type { NewUser } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

const aUser = (username: string, overrides: Partial<NewUser> = {}): NewUser => ({
  id: randomUUID(),
  username,
  email: `${username}@example.test`,
  emailVerified: false,
  firstName: username,
  lastName: null,
  displayName: username,
  isAdmin: false,
  locale: null,
  disabled: false,
  ...overrides,
});

describeEachDialect('MikroOrmUserGroupRepository and the user list', (db) => {
  let s: MikroOrmStorage;

  beforeAll(async () => {
    s = await db.open();
  });

  it('inserts, finds, renames and deletes groups; names are unique', async () => {
    const group = await s.userGroups.insert({ id: randomUUID(), name: 'devs', friendlyName: 'Developers' });
    expect(await s.userGroups.findById(group.id)).toEqual(group);
    await expect(s.userGroups.insert({ id: randomUUID(), name: 'devs', friendlyName: 'X' })).rejects.toEqual(
      expect.objectContaining({ name: 'UniqueViolationError', field: 'name' }),
    );
    const other = await s.userGroups.insert({ id: randomUUID(), name: 'ops', friendlyName: 'Ops' });
    await expect(s.userGroups.update(other.id, { name: 'devs' })).rejects.toEqual(
      expect.objectContaining({ field: 'name' }),
    );
    expect((await s.userGroups.update(other.id, { friendlyName: 'Operations' }))?.friendlyName).toBe(
      'Operations',
    );
    expect(await s.userGroups.update(randomUUID(), { name: 'x' })).toBeNull();
    expect(await s.userGroups.delete(other.id)).toBe(true);
    expect(await s.userGroups.delete(other.id)).toBe(false);
  });

  it('replaces memberships both ways, ignoring unknown ids, and counts members', async () => {
    const a = await s.users.insert(aUser('ann'));
    const b = await s.users.insert(aUser('ben'));
    const g1 = await s.userGroups.insert({ id: randomUUID(), name: 'g1', friendlyName: 'G1' });
    const g2 = await s.userGroups.insert({ id: randomUUID(), name: 'g2', friendlyName: 'G2' });
    await s.database.transaction(() => s.userGroups.setMembers(g1.id, [a.id, b.id, randomUUID()]));
    await s.userGroups.setGroupsOfUser(a.id, [g2.id, g1.id, 'not-a-group']);
    expect((await s.userGroups.memberIds(g1.id)).sort()).toEqual([a.id, b.id].sort());
    const byUser = await s.userGroups.groupsOfUsers([a.id, b.id]);
    expect(byUser.get(a.id)?.map((g) => g.name)).toEqual(['g1', 'g2']);
    expect(byUser.get(b.id)?.map((g) => g.name)).toEqual(['g1']);
    expect(await s.userGroups.memberCounts([g1.id, g2.id])).toEqual(
      new Map([
        [g1.id, 2],
        [g2.id, 1],
      ]),
    );
    const list = await s.userGroups.list({ sort: { column: 'userCount', direction: 'desc' } }, 0, 2);
    expect(list.map((g) => g.name)).toEqual(['g1', 'g2']);
    expect(await s.userGroups.count({ search: 'G1' })).toBe(1);
    // deleting a user or a group takes the memberships along
    await s.users.delete(b.id);
    expect(await s.userGroups.memberIds(g1.id)).toEqual([a.id]);
    await s.userGroups.delete(g2.id);
    expect((await s.userGroups.groupsOfUsers([a.id])).get(a.id)?.map((g) => g.name)).toEqual(['g1']);
  });

  it('lists users with search, filters, case-insensitive sort, and counts active admins', async () => {
    await s.users.insert(aUser('Zed', { isAdmin: true, firstName: 'zed' }));
    await s.users.insert(aUser('yan', { isAdmin: true, disabled: true, firstName: 'Yan' }));
    expect(await s.users.countActiveAdmins()).toBe(1);
    await s.database.transaction(() => s.users.lockAdmins());
    const admins = await s.users.list({ filters: { isAdmin: [true] } }, 0, 10);
    expect(admins.map((u) => u.username).sort()).toEqual(['Zed', 'yan']);
    const sorted = await s.users.list(
      { filters: {}, sort: { column: 'firstName', direction: 'desc' } },
      0,
      2,
    );
    expect(sorted.map((u) => u.firstName)).toEqual(['zed', 'Yan']);
    expect(await s.users.count({ filters: {}, search: 'ZE' })).toBe(1);
    expect(await s.users.count({ filters: {}, search: '%' })).toBe(0);
    expect((await s.users.findByIds(['nope'])).length).toBe(0);
  });
});
