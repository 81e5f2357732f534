import { randomUUID } from 'node:crypto';
import { UniqueViolationError } from '@latchkey/core';
import type { NewUser } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

const aUser = (username: string, overrides: Partial<NewUser> = {}): NewUser => ({
  id: randomUUID(),
  username,
  email: `${username.toLowerCase()}@example.test`,
  emailVerified: false,
  firstName: username,
  lastName: null,
  displayName: username,
  isAdmin: false,
  locale: null,
  disabled: false,
  ...overrides,
});

const violation = (field: string) => expect.objectContaining({ name: 'UniqueViolationError', field });

describeEachDialect('MikroOrmUserRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
  });

  it('starts empty', async () => {
    expect(await a.users.count()).toBe(0);
    expect(await a.users.findById(randomUUID())).toBeNull();
    expect(await a.users.findById('not-a-uuid')).toBeNull();
    expect(await a.users.findByUsername('nobody')).toBeNull();
    expect(await a.users.findByEmail('nobody@example.test')).toBeNull();
  });

  it('inserts a user and reads it back field for field, on the other instance too', async () => {
    const before = Date.now();
    const input = aUser('Alice', {
      email: 'Alice@Example.test',
      emailVerified: true,
      lastName: 'Liddell',
      isAdmin: true,
      locale: 'en-GB',
      ldapId: 'uid=alice',
    });
    const inserted = await a.users.insert(input);
    expect(inserted).toEqual({ ...input, createdAt: expect.any(Date), updatedAt: inserted.createdAt });
    expect(inserted.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(await b.users.findById(input.id)).toEqual(inserted);
    expect(await b.users.count()).toBe(1);
  });

  it('defaults ldapId to null and returns a plain object', async () => {
    const bob = await a.users.insert(aUser('bob'));
    expect(bob.ldapId).toBeNull();
    const read = await a.users.findById(bob.id);
    expect(read).toEqual(bob);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });

  it('finds by username case-insensitively and keeps it as entered', async () => {
    expect((await a.users.findByUsername('alice'))?.username).toBe('Alice');
    expect((await b.users.findByUsername('ALICE'))?.username).toBe('Alice');
    expect((await a.users.findByUsername('BoB'))?.username).toBe('bob');
    expect(await a.users.findByUsername('alic')).toBeNull();
    expect(await a.users.findByUsername('alice%')).toBeNull();
  });

  it('finds by email case-insensitively', async () => {
    expect((await a.users.findByEmail('alice@example.test'))?.username).toBe('Alice');
    expect((await a.users.findByEmail('ALICE@EXAMPLE.TEST'))?.username).toBe('Alice');
    expect((await a.users.findByEmail('Alice@Example.test'))?.username).toBe('Alice');
    expect(await a.users.findByEmail('alice@example')).toBeNull();
  });

  it('refuses a username taken in any case, naming the field', async () => {
    const err = await a.users.insert(aUser('ALICE', { email: null })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toEqual(violation('username'));
    await expect(b.users.insert(aUser('alice', { email: 'other@example.test' }))).rejects.toEqual(
      violation('username'),
    );
    expect(await a.users.count()).toBe(2);
  });

  it('refuses an email taken as stored, naming the field', async () => {
    await expect(a.users.insert(aUser('carol', { email: 'Alice@Example.test' }))).rejects.toEqual(
      violation('email'),
    );
    await expect(a.users.insert(aUser('carol', { email: 'bob@example.test' }))).rejects.toEqual(
      violation('email'),
    );
  });

  it('accepts an email that differs only in case (uniqueness is as stored); lookups prefer the exact one', async () => {
    const dave = await a.users.insert(aUser('dave', { email: 'alice@example.test' }));
    expect((await a.users.findByEmail('alice@example.test'))?.id).toBe(dave.id);
    expect((await a.users.findByEmail('Alice@Example.test'))?.username).toBe('Alice');
    // Neither matches exactly: the oldest wins.
    expect((await a.users.findByEmail('ALICE@example.test'))?.username).toBe('Alice');
  });

  it('lets many users have no email', async () => {
    await a.users.insert(aUser('erin', { email: null }));
    await a.users.insert(aUser('frank', { email: null }));
    expect(await a.users.findByEmail('')).toBeNull();
  });

  it('refuses a duplicate id', async () => {
    const alice = await a.users.findByUsername('alice');
    await expect(a.users.insert(aUser('grace', { id: alice!.id }))).rejects.toEqual(violation('id'));
  });

  it('updates the given fields only, moves updatedAt and returns the user', async () => {
    const bob = (await a.users.findByUsername('bob'))!;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await b.users.update(bob.id, {
      displayName: 'Robert',
      lastName: 'Builder',
      isAdmin: true,
      locale: 'fr',
      emailVerified: true,
    });
    expect(updated).toEqual({
      ...bob,
      displayName: 'Robert',
      lastName: 'Builder',
      isAdmin: true,
      locale: 'fr',
      emailVerified: true,
      updatedAt: expect.any(Date),
    });
    expect(updated!.updatedAt.getTime()).toBeGreaterThan(bob.updatedAt.getTime());
    expect(updated!.createdAt).toEqual(bob.createdAt);
    expect(await a.users.findById(bob.id)).toEqual(updated);
  });

  it('updates the username and email, and clears nullable fields', async () => {
    const bob = (await a.users.findByUsername('bob'))!;
    const updated = await a.users.update(bob.id, { username: 'Bobby', email: null, lastName: null });
    expect(updated).toMatchObject({ username: 'Bobby', email: null, lastName: null, displayName: 'Robert' });
    expect((await a.users.findByUsername('bobby'))?.id).toBe(bob.id);
    expect(await a.users.findByUsername('bob')).toBeNull();
    // Changing only the case of one's own username is not a conflict.
    expect((await a.users.update(bob.id, { username: 'bobby' }))?.username).toBe('bobby');
  });

  it('returns null when updating a user that does not exist', async () => {
    expect(await a.users.update(randomUUID(), { displayName: 'x' })).toBeNull();
    expect(await a.users.update(randomUUID(), {})).toBeNull();
  });

  it('refuses an update to a taken username or email and changes nothing', async () => {
    const bobby = (await a.users.findByUsername('bobby'))!;
    await expect(a.users.update(bobby.id, { username: 'ALICE', displayName: 'x' })).rejects.toEqual(
      violation('username'),
    );
    await expect(a.users.update(bobby.id, { email: 'Alice@Example.test' })).rejects.toEqual(
      violation('email'),
    );
    expect(await a.users.findById(bobby.id)).toEqual(bobby);
  });

  it('works inside a scope and a transaction, and rolls back with it', async () => {
    const henry = aUser('henry');
    await a.database.withScope(async () => {
      await a.database.transaction(async () => {
        await a.users.insert(henry);
        expect((await a.users.findByUsername('HENRY'))?.id).toBe(henry.id);
        expect(await a.users.update(henry.id, { displayName: 'Hal' })).toMatchObject({ displayName: 'Hal' });
      });
    });
    expect((await b.users.findById(henry.id))?.displayName).toBe('Hal');

    const ivy = aUser('ivy');
    await expect(
      a.database.transaction(async () => {
        await a.users.insert(ivy);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await a.users.findById(ivy.id)).toBeNull();
  });

  it('insertFirstUser refuses once any user exists', async () => {
    const count = await a.users.count();
    const first = aUser('first');
    expect(await a.users.insertFirstUser(first)).toBeNull();
    expect(await a.users.findById(first.id)).toBeNull();
    expect(await a.users.count()).toBe(count);
  });
});

describeEachDialect('MikroOrmUserRepository.insertFirstUser', (db) => {
  let storage: MikroOrmStorage;

  beforeAll(async () => {
    storage = await db.open();
  });

  it('lets exactly one of 20 concurrent calls create the first user', async () => {
    const candidates = Array.from({ length: 20 }, (_, i) => aUser(`admin${i}`, { isAdmin: true }));
    const results = await Promise.all(candidates.map((c) => storage.users.insertFirstUser(c)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    expect(winner).toEqual({
      ...candidates[results.indexOf(winner)],
      ldapId: null,
      createdAt: expect.any(Date),
      updatedAt: winner.createdAt,
    });
    expect(await storage.users.count()).toBe(1);
    expect(await storage.users.findById(winner.id)).toEqual(winner);
  });

  it('refuses every later call', async () => {
    expect(await storage.users.insertFirstUser(aUser('late', { isAdmin: true }))).toBeNull();
    expect(await storage.users.count()).toBe(1);
  });
});

describeEachDialect('MikroOrmUserRepository.insertFirstUser across instances', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
  });

  it('lets exactly one of 20 concurrent calls on two storages win', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).users.insertFirstUser(aUser(`admin${i}`))),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await a.users.count()).toBe(1);
    expect(await b.users.count()).toBe(1);
  });
});

describeEachDialect('MikroOrmUserRepository.insertFirstUser in a transaction', (db) => {
  let storage: MikroOrmStorage;

  beforeAll(async () => {
    storage = await db.open();
  });

  it('joins the caller\u2019s transaction and rolls back with it', async () => {
    await expect(
      storage.database.withScope(() =>
        storage.database.transaction(async () => {
          expect(await storage.users.insertFirstUser(aUser('root'))).not.toBeNull();
          throw new Error('setup failed later');
        }),
      ),
    ).rejects.toThrow('setup failed later');
    expect(await storage.users.count()).toBe(0);

    const root = await storage.database.transaction(() => storage.users.insertFirstUser(aUser('root')));
    expect(root?.username).toBe('root');
    expect(await storage.users.count()).toBe(1);
  });
});
