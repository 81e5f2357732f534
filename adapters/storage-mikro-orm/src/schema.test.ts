import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { beforeAll, expect, it } from 'vitest';
import {
  CustomClaimEntity,
  OidcClientEntity,
  OidcClientRegistrationEntity,
  PasskeyCredentialEntity,
  RefreshTokenEntity,
  RefreshTokenFamilyEntity,
  SessionEntity,
  UserEntity,
  UserGroupEntity,
  UserGroupMemberEntity,
} from './entities/index.js';
import type { MikroOrmStorage } from './index.js';
import { describeEachDialect } from './test-support.js';

/** The rules the database itself enforces, whoever writes: checked with native statements, past the ORM. */
describeEachDialect('schema', (db) => {
  let storage: MikroOrmStorage;
  const em = (): SqlEntityManager => storage.orm.em.fork();

  beforeAll(async () => {
    storage = await db.open();
  });

  const aUser = async (username = `user-${randomUUID().slice(0, 8)}`) => {
    const id = randomUUID();
    await em().insert(UserEntity, { id, username, createdAt: new Date(), updatedAt: new Date() });
    return id;
  };
  const aSession = async (userId: string) => {
    const id = randomUUID();
    const now = new Date();
    await em().insert(SessionEntity, {
      id,
      userId,
      tokenHash: randomUUID(),
      amr: ['phr'],
      authTime: now,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
    });
    return id;
  };
  const aPasskey = async (userId: string) => {
    await em().insert(PasskeyCredentialEntity, {
      id: randomUUID(),
      userId,
      name: 'laptop',
      credentialId: randomUUID(),
      publicKey: Buffer.from([1, 2, 3]),
      transports: ['internal'],
      createdAt: new Date(),
    });
  };

  it('deleting a user removes their passkeys, sessions and memberships', async () => {
    const userId = await aUser();
    const other = await aUser();
    await aPasskey(userId);
    await aPasskey(userId);
    await aSession(userId);
    await aPasskey(other);
    const groupId = randomUUID();
    await em().insert(UserGroupEntity, {
      id: groupId,
      name: `g-${groupId}`,
      friendlyName: 'G',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await em().insert(UserGroupMemberEntity, { userId, groupId });

    await em().getConnection().execute('delete from users where id = ?', [userId]);

    expect(await em().count(PasskeyCredentialEntity, { userId })).toBe(0);
    expect(await em().count(SessionEntity, { userId })).toBe(0);
    expect(await em().count(UserGroupMemberEntity, { userId })).toBe(0);
    expect(await em().count(PasskeyCredentialEntity, { userId: other })).toBe(1);
    expect(await em().count(UserGroupEntity, { id: groupId })).toBe(1);
  });

  it('a refresh-token family outlives its browser session, and dies with its client', async () => {
    const userId = await aUser();
    const sessionId = await aSession(userId);
    const clientId = `client-${randomUUID()}`;
    const now = new Date();
    await em().insert(OidcClientEntity, {
      id: clientId,
      name: 'App',
      callbackUrls: [],
      logoutCallbackUrls: [],
      grantTypes: ['authorization_code'],
      createdAt: now,
      updatedAt: now,
    });
    const familyId = randomUUID();
    await em().insert(RefreshTokenFamilyEntity, {
      id: familyId,
      clientId,
      userId,
      sessionId,
      scope: 'openid offline_access',
      authTime: now,
      amr: ['phr'],
      createdAt: now,
      expiresAt: now,
    });
    await em().insert(RefreshTokenEntity, {
      tokenHash: randomUUID(),
      familyId,
      createdAt: now,
      expiresAt: now,
    });

    await em().getConnection().execute('delete from sessions where id = ?', [sessionId]);
    const family = await em().findOneOrFail(RefreshTokenFamilyEntity, { id: familyId });
    expect(family.sessionId).toBeNull();

    await em().getConnection().execute('delete from oidc_clients where id = ?', [clientId]);
    expect(await em().count(RefreshTokenFamilyEntity, { id: familyId })).toBe(0);
    expect(await em().count(RefreshTokenEntity, { familyId })).toBe(0);
  });

  it("a client's dynamic registration dies with the client", async () => {
    const clientId = `dcr-${randomUUID()}`;
    const now = new Date();
    await em().insert(OidcClientEntity, {
      id: clientId,
      name: 'Registered',
      callbackUrls: [],
      logoutCallbackUrls: [],
      grantTypes: [],
      createdAt: now,
      updatedAt: now,
    });
    await em().insert(OidcClientRegistrationEntity, {
      clientId,
      accessTokenHash: 'a'.repeat(64),
      metadata: { grant_types: ['authorization_code'] },
      createdAt: now,
      updatedAt: now,
    });
    const row = await em().findOneOrFail(OidcClientRegistrationEntity, { clientId });
    expect(row.metadata).toEqual({ grant_types: ['authorization_code'] });
    await expect(
      em().insert(OidcClientRegistrationEntity, {
        clientId,
        accessTokenHash: 'b'.repeat(64),
        metadata: {},
        createdAt: now,
        updatedAt: now,
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);

    await em().getConnection().execute('delete from oidc_clients where id = ?', [clientId]);
    expect(await em().count(OidcClientRegistrationEntity, { clientId })).toBe(0);
  });

  it('refuses a username that differs from an existing one only in case', async () => {
    await aUser('Alice');
    await expect(aUser('alice')).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(aUser('ALICE')).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(aUser('alice2')).resolves.toBeTypeOf('string');
  });

  it('refuses a duplicate email but allows many users without one', async () => {
    const withEmail = async (email: string | null) =>
      em().insert(UserEntity, {
        id: randomUUID(),
        username: `u-${randomUUID().slice(0, 8)}`,
        email,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    await withEmail('a@example.com');
    await expect(withEmail('a@example.com')).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await withEmail(null);
    await withEmail(null);
  });

  it('refuses the same claim key twice for one user, but not for a user and a group', async () => {
    const userId = await aUser();
    const groupId = randomUUID();
    await em().insert(UserGroupEntity, {
      id: groupId,
      name: `g-${groupId}`,
      friendlyName: 'G',
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const claim = (owner: { userId?: string; groupId?: string }) =>
      em().insert(CustomClaimEntity, { id: randomUUID(), key: 'team', value: 'x', ...owner });
    await claim({ userId });
    await claim({ groupId });
    await expect(claim({ userId })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('round-trips JSON, booleans, blobs, 32-bit counters and dates', async () => {
    const userId = await aUser();
    const id = randomUUID();
    const lastUsedAt = new Date('2026-11-23T10:20:30.456Z');
    await em().insert(PasskeyCredentialEntity, {
      id,
      userId,
      name: 'key',
      credentialId: randomUUID(),
      publicKey: Buffer.from([0, 255, 7]),
      signCount: 4_294_967_295,
      transports: ['usb', 'nfc'],
      backupEligible: true,
      createdAt: new Date(),
      lastUsedAt,
    });
    const row = await em().findOneOrFail(PasskeyCredentialEntity, { id });
    expect(row.transports).toEqual(['usb', 'nfc']);
    expect(row.backupEligible).toBe(true);
    expect(row.backupState).toBe(false);
    expect(Buffer.from(row.publicKey)).toEqual(Buffer.from([0, 255, 7]));
    expect(row.signCount).toBe(4_294_967_295);
    expect(row.lastUsedAt).toEqual(lastUsedAt);
  });
});
