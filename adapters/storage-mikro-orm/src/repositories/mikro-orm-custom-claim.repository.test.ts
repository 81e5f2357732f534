import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

describeEachDialect('MikroOrmCustomClaimRepository', (db) => {
  let s: MikroOrmStorage;
  let userId: string;
  let groupId: string;

  beforeAll(async () => {
    s = await db.open();
    userId = (
      await s.users.insert({
        id: randomUUID(),
        username: 'claire',
        email: null,
        emailVerified: false,
        firstName: 'Claire',
        lastName: null,
        displayName: 'Claire',
        isAdmin: false,
        locale: null,
        disabled: false,
      })
    ).id;
    groupId = (await s.userGroups.insert({ id: randomUUID(), name: 'g', friendlyName: 'G' })).id;
  });

  it('replaces a set as a whole, per owner', async () => {
    await s.database.transaction(() =>
      s.customClaims.replace({ userId }, [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ]),
    );
    await s.customClaims.replace({ groupId }, [{ key: 'a', value: 'group' }]);
    expect(await s.customClaims.list({ userId })).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await s.customClaims.replace({ userId }, [{ key: 'c', value: '3' }]);
    expect(await s.customClaims.list({ userId })).toEqual([{ key: 'c', value: '3' }]);
    const many = await s.customClaims.listMany({ userIds: [userId], groupIds: [groupId] });
    expect(many.users.get(userId)).toEqual([{ key: 'c', value: '3' }]);
    expect(many.groups.get(groupId)).toEqual([{ key: 'a', value: 'group' }]);
  });

  it('rolls back with the transaction', async () => {
    await expect(
      s.database.transaction(async () => {
        await s.customClaims.replace({ userId }, []);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await s.customClaims.list({ userId })).toEqual([{ key: 'c', value: '3' }]);
  });

  it('ranks keys by use and forgets the claims of deleted owners', async () => {
    await s.customClaims.replace({ userId }, [
      { key: 'a', value: '1' },
      { key: 'z', value: '1' },
    ]);
    expect(await s.customClaims.keysByUse()).toEqual(['a', 'z']);
    await s.users.delete(userId);
    await s.userGroups.delete(groupId);
    expect(await s.customClaims.keysByUse()).toEqual([]);
  });
});
