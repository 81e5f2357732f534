import { randomBytes, randomUUID } from 'node:crypto';
import { UniqueViolationError } from '@latchkey/core';
import type { PasskeyCredential } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { addUser, describeEachDialect } from '../test-support.js';

type NewCredential = Omit<PasskeyCredential, 'createdAt' | 'lastUsedAt'>;

const t0 = new Date('2026-11-23T00:00:00.000Z');

const aCredential = (userId: string, overrides: Partial<NewCredential> = {}): NewCredential => ({
  id: randomUUID(),
  userId,
  name: 'YubiKey',
  credentialId: randomBytes(32).toString('base64url'),
  publicKey: new Uint8Array(randomBytes(77)),
  signCount: 0,
  aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
  transports: ['usb', 'nfc'],
  backupEligible: false,
  backupState: false,
  attestationType: 'none',
  ...overrides,
});

describeEachDialect('MikroOrmPasskeyCredentialRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  let bob = '';

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    bob = await addUser(a, 'bob');
  });

  it('inserts a credential and finds it by credential id, field for field, as plain data', async () => {
    const input = aCredential(alice, { signCount: 7, backupEligible: true, backupState: true });
    const inserted = await a.passkeys.insert(input);
    expect(inserted).toEqual({ ...input, createdAt: expect.any(Date), lastUsedAt: null });

    const found = await b.passkeys.findByCredentialId(input.credentialId);
    expect(found).toEqual(inserted);
    expect(found!.publicKey).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(found!.publicKey)).toBe(false);
    expect(Array.from(found!.publicKey)).toEqual(Array.from(input.publicKey));
    expect(await b.passkeys.findByCredentialId('unknown')).toBeNull();
  });

  it('keeps nullable fields, empty transports and a signature counter beyond 2^31', async () => {
    const input = aCredential(alice, {
      aaguid: null,
      attestationType: null,
      transports: [],
      signCount: 4_294_967_295,
    });
    await a.passkeys.insert(input);
    expect(await a.passkeys.findByCredentialId(input.credentialId)).toMatchObject({
      aaguid: null,
      attestationType: null,
      transports: [],
      signCount: 4_294_967_295,
    });
  });

  it('refuses a credential id that is already registered, naming the field', async () => {
    const existing = aCredential(alice);
    await a.passkeys.insert(existing);
    const err = await b.passkeys
      .insert(aCredential(bob, { credentialId: existing.credentialId }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toMatchObject({ field: 'id' });
    await expect(a.passkeys.insert(aCredential(alice, { id: existing.id }))).rejects.toMatchObject({
      name: 'UniqueViolationError',
      field: 'id',
    });
  });

  it('refuses a credential for a user that does not exist', async () => {
    await expect(a.passkeys.insert(aCredential(randomUUID()))).rejects.toThrow();
  });

  it('lists a user’s credentials oldest first, and only theirs', async () => {
    const carol = await addUser(a, 'carol');
    const first = await a.passkeys.insert(aCredential(carol, { name: 'first' }));
    await new Promise((r) => setTimeout(r, 5));
    const second = await a.passkeys.insert(aCredential(carol, { name: 'second' }));
    await a.passkeys.insert(aCredential(bob, { name: 'bob’s' }));
    expect(await b.passkeys.listByUser(carol)).toEqual([first, second]);
    expect(await b.passkeys.listByUser(randomUUID())).toEqual([]);
  });

  it('finds, renames and deletes a credential only for its owner', async () => {
    const cred = await a.passkeys.insert(aCredential(alice, { name: 'Phone' }));
    expect(await b.passkeys.findForUser(cred.id, alice)).toEqual(cred);
    expect(await b.passkeys.findForUser(cred.id, bob)).toBeNull();
    expect(await b.passkeys.findForUser('not-a-uuid', alice)).toBeNull();

    expect(await b.passkeys.rename(cred.id, bob, 'Stolen')).toBeNull();
    expect(await b.passkeys.rename(cred.id, alice, 'Work phone')).toEqual({ ...cred, name: 'Work phone' });
    expect((await a.passkeys.findForUser(cred.id, alice))?.name).toBe('Work phone');
    expect(await b.passkeys.rename(randomUUID(), alice, 'x')).toBeNull();

    expect(await b.passkeys.delete(cred.id, bob)).toBe(false);
    expect(await b.passkeys.delete(cred.id, alice)).toBe(true);
    expect(await a.passkeys.findForUser(cred.id, alice)).toBeNull();
    expect(await b.passkeys.delete(cred.id, alice)).toBe(false);
  });

  it('records a use only while the counter is still the expected one', async () => {
    const cred = await a.passkeys.insert(aCredential(alice, { signCount: 5, backupEligible: true }));
    const used = new Date(t0.getTime() + 1_000);
    expect(
      await b.passkeys.recordUse(cred.id, {
        expectedSignCount: 4,
        signCount: 6,
        backupState: true,
        lastUsedAt: used,
      }),
    ).toBe(false);
    expect(await a.passkeys.findForUser(cred.id, alice)).toEqual(cred);

    expect(
      await b.passkeys.recordUse(cred.id, {
        expectedSignCount: 5,
        signCount: 6,
        backupState: true,
        lastUsedAt: used,
      }),
    ).toBe(true);
    expect(await a.passkeys.findForUser(cred.id, alice)).toEqual({
      ...cred,
      signCount: 6,
      backupState: true,
      lastUsedAt: used,
    });
    expect(
      await a.passkeys.recordUse(randomUUID(), {
        expectedSignCount: 0,
        signCount: 1,
        backupState: false,
        lastUsedAt: used,
      }),
    ).toBe(false);
  });

  it('records a use with a zero counter (authenticators that do not count) every time', async () => {
    const cred = await a.passkeys.insert(aCredential(alice, { signCount: 0 }));
    const update = { expectedSignCount: 0, signCount: 0, backupState: false, lastUsedAt: t0 };
    expect(await a.passkeys.recordUse(cred.id, update)).toBe(true);
    expect(await a.passkeys.recordUse(cred.id, update)).toBe(true);
  });

  it('lets exactly one of 10 concurrent assertions with the same counter move it', async () => {
    const cred = await a.passkeys.insert(aCredential(alice, { signCount: 10 }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).passkeys.recordUse(cred.id, {
          expectedSignCount: 10,
          signCount: 11 + i,
          backupState: false,
          lastUsedAt: t0,
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await a.passkeys.findForUser(cred.id, alice))?.signCount).toBe(11 + results.indexOf(true));
  });

  it('deletes a user’s credentials with the user (cascade)', async () => {
    const dave = await addUser(a, 'dave');
    const cred = await a.passkeys.insert(aCredential(dave));
    await a.orm.em.getConnection().execute('delete from users where id = ?', [dave]);
    expect(await a.passkeys.findByCredentialId(cred.credentialId)).toBeNull();
  });
});
