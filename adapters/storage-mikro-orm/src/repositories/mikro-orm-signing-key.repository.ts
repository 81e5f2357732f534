import type { SigningAlg, SigningKeyRepository, StoredSigningKey } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { SigningKeyEntity } from '../entities/signing-key.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';

type SigningKeyRow = InferEntity<typeof SigningKeyEntity>;

const NEWEST_FIRST = { createdAt: 'desc', kid: 'desc' } as const;

/**
 * Hands out plain objects and writes with native statements, so reads bypass the identity map
 * (`disableIdentityMap`): nothing loaded here is tracked, or flushed by a later `em.flush()`.
 */
export class MikroOrmSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async listUsable(now: Date): Promise<StoredSigningKey[]> {
    const rows = await currentEm(this.orm).find(
      SigningKeyEntity,
      { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
      { orderBy: NEWEST_FIRST, disableIdentityMap: true },
    );
    return rows.map(toDomain);
  }

  async listAll(): Promise<StoredSigningKey[]> {
    const rows = await currentEm(this.orm).find(
      SigningKeyEntity,
      {},
      { orderBy: NEWEST_FIRST, disableIdentityMap: true },
    );
    return rows.map(toDomain);
  }

  async rotate(key: StoredSigningKey, previousExpiresAt: Date): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeUpdate(
        SigningKeyEntity,
        { retiredAt: null },
        { retiredAt: key.createdAt, expiresAt: previousExpiresAt },
      );
      await em.insert(SigningKeyEntity, toRow(key));
    });
  }

  async reencrypt(updates: { kid: string; encryptedPrivateJwk: string }[]): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      for (const { kid, encryptedPrivateJwk } of updates) {
        const changed = await em.nativeUpdate(SigningKeyEntity, { kid }, { encryptedPrivateJwk });
        // A missing key means the caller's list is stale: keep every key under one encryption key.
        if (changed !== 1) throw new Error(`Signing key ${kid} does not exist; no key was re-encrypted.`);
      }
    });
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(SigningKeyEntity, { expiresAt: { $lte: now } });
  }
}

function toDomain(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    alg: row.alg as SigningAlg,
    encryptedPrivateJwk: row.encryptedPrivateJwk,
    publicJwk: row.publicJwk,
    createdAt: row.createdAt,
    retiredAt: row.retiredAt ?? null,
    expiresAt: row.expiresAt ?? null,
  };
}

function toRow(key: StoredSigningKey): SigningKeyRow {
  return {
    kid: key.kid,
    alg: key.alg,
    encryptedPrivateJwk: key.encryptedPrivateJwk,
    publicJwk: key.publicJwk,
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
    expiresAt: key.expiresAt,
  };
}
