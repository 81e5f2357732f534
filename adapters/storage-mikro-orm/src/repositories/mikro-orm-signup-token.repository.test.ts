import { randomUUID } from 'node:crypto';
import type { NewSignupToken } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { addUser, describeEachDialect } from '../test-support.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);

describeEachDialect('MikroOrmSignupTokenRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let devs = '';

  const aToken = (overrides: Partial<NewSignupToken> = {}): NewSignupToken => ({
    id: randomUUID(),
    tokenHash: randomUUID().replaceAll('-', ''),
    expiresAt: at(1),
    usageLimit: 3,
    userGroupIds: [],
    ...overrides,
  });

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    devs = (await a.userGroups.insert({ id: randomUUID(), name: 'devs', friendlyName: 'Developers' })).id;
  });

  it('stores a token with the groups that exist, and lists it from another instance', async () => {
    const input = aToken({ userGroupIds: [devs, randomUUID(), devs] });
    const inserted = await a.signupTokens.insert(input);
    expect(inserted).toEqual({ ...input, userGroupIds: [devs], usageCount: 0, createdAt: expect.any(Date) });
    const listed = await b.signupTokens.list({ offset: 0, limit: 100 });
    expect(listed.find((t) => t.id === input.id)).toEqual(inserted);
    expect(await b.signupTokens.count()).toBeGreaterThanOrEqual(1);
  });

  it('takes uses only below the limit and before expiry', async () => {
    const token = aToken({ usageLimit: 2 });
    await a.signupTokens.insert(token);
    expect((await b.signupTokens.use(token.tokenHash, at(0)))?.usageCount).toBe(1);
    expect((await a.signupTokens.use(token.tokenHash, at(0)))?.usageCount).toBe(2);
    expect(await b.signupTokens.use(token.tokenHash, at(0))).toBeNull();
    const expiring = aToken();
    await a.signupTokens.insert(expiring);
    expect(await a.signupTokens.use(expiring.tokenHash, at(1))).toBeNull();
    expect(await a.signupTokens.use('unknown', at(0))).toBeNull();
  });

  it('never lets concurrent uses overrun the limit', async () => {
    const token = aToken({ usageLimit: 3 });
    await a.signupTokens.insert(token);
    // Two instances on PostgreSQL. On SQLite one: better-sqlite3 waits for a lock synchronously, so two
    // connections in one process would block each other's event loop (separate processes do not).
    const instances = db.dialect === 'postgresql' ? [a, b] : [a];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const s = instances[i % instances.length]!;
        return s.database.withScope(() =>
          s.database.transaction(() => s.signupTokens.use(token.tokenHash, at(0))),
        );
      }),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(3);
  });

  it('gives a use back when the surrounding transaction fails', async () => {
    const token = aToken({ usageLimit: 1 });
    await a.signupTokens.insert(token);
    const userId = await addUser(a, `taken-${randomUUID().slice(0, 8)}`);
    await expect(
      a.database.withScope(() =>
        a.database.transaction(async () => {
          expect(await a.signupTokens.use(token.tokenHash, at(0))).not.toBeNull();
          const existing = await a.users.findById(userId);
          await a.users.insert({ ...existing!, id: randomUUID() });
        }),
      ),
    ).rejects.toMatchObject({ name: 'UniqueViolationError' });
    expect((await a.signupTokens.use(token.tokenHash, at(0)))?.usageCount).toBe(1);
  });

  it('sorts by a column, pages, and deletes with the group links', async () => {
    const first = aToken({ usageLimit: 100, userGroupIds: [devs] });
    await a.signupTokens.insert(first);
    const sorted = await a.signupTokens.list({
      offset: 0,
      limit: 2,
      sort: { column: 'usageLimit', direction: 'desc' },
    });
    expect(sorted).toHaveLength(2);
    expect(sorted[0]!.id).toBe(first.id);
    expect(await a.signupTokens.delete(first.id)).toBe(true);
    expect(await a.signupTokens.delete(first.id)).toBe(false);
    expect((await b.signupTokens.list({ offset: 0, limit: 100 })).some((t) => t.id === first.id)).toBe(false);
  });
});
