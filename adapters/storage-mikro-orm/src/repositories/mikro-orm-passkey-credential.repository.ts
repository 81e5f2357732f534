import type { PasskeyCredential, PasskeyCredentialRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { PasskeyCredentialEntity } from '../entities/passkey-credential.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';
import { toUniqueViolation } from './unique-violation.js';
import type { UniqueIndex } from './unique-violation.js';

type PasskeyRow = InferEntity<typeof PasskeyCredentialEntity>;

/** Both the WebAuthn credential id and the row id are "the id" for core. */
const PASSKEY_INDEXES: readonly UniqueIndex[] = [
  { name: 'passkey_credentials_credential_id_unique', column: 'credential_id', field: 'id' },
  { name: 'passkey_credentials_pkey', column: 'id', field: 'id' },
];

const OLDEST_FIRST = { createdAt: 'asc', id: 'asc' } as const;

/** Hand-written SQL for the statements every sign-in makes (see raw-sql.ts). */
const SELECT = `select id, user_id, name, credential_id, public_key, sign_count, aaguid, transports,
backup_eligible, backup_state, attestation_type, created_at, last_used_at from passkey_credentials`;
const BY_CREDENTIAL_ID = `${SELECT} where credential_id = ?`;
const FOR_USER = `${SELECT} where id = ? and user_id = ?`;
const RECORD_USE = `update passkey_credentials set sign_count = ?, backup_state = ?, last_used_at = ?
where id = ? and sign_count = ?`;

/**
 * The public key is stored as a blob and handed out as a plain `Uint8Array` (a copy, not the
 * driver's Buffer). `recordUse` is a compare-and-set on `sign_count` in one statement.
 */
export class MikroOrmPasskeyCredentialRepository implements PasskeyCredentialRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(credential: Omit<PasskeyCredential, 'createdAt' | 'lastUsedAt'>): Promise<PasskeyCredential> {
    const row: PasskeyRow = {
      id: credential.id,
      userId: credential.userId,
      name: credential.name,
      credentialId: credential.credentialId,
      publicKey: Buffer.from(credential.publicKey),
      signCount: credential.signCount,
      aaguid: credential.aaguid,
      transports: [...credential.transports],
      backupEligible: credential.backupEligible,
      backupState: credential.backupState,
      attestationType: credential.attestationType,
      createdAt: new Date(),
      lastUsedAt: null,
    };
    try {
      await currentEm(this.orm).insert(PasskeyCredentialEntity, row);
    } catch (err) {
      throw toUniqueViolation(err, 'passkey_credentials', PASSKEY_INDEXES);
    }
    return toDomain(row);
  }

  async findByCredentialId(credentialId: string): Promise<PasskeyCredential | null> {
    const row = await selectOne<PasskeyRow>(this.orm, PasskeyCredentialEntity, BY_CREDENTIAL_ID, [
      credentialId,
    ]);
    return row ? toDomain(row) : null;
  }

  async listByUser(userId: string): Promise<PasskeyCredential[]> {
    const rows = await currentEm(this.orm).find(
      PasskeyCredentialEntity,
      { userId },
      { orderBy: OLDEST_FIRST, disableIdentityMap: true },
    );
    return rows.map(toDomain);
  }

  async findForUser(id: string, userId: string): Promise<PasskeyCredential | null> {
    const row = await selectOne<PasskeyRow>(this.orm, PasskeyCredentialEntity, FOR_USER, [id, userId]);
    return row ? toDomain(row) : null;
  }

  async rename(id: string, userId: string, name: string): Promise<PasskeyCredential | null> {
    return inTransaction(this.orm, async (em) => {
      const changed = await em.nativeUpdate(PasskeyCredentialEntity, { id, userId }, { name });
      if (changed === 0) return null;
      const row = await em.findOne(PasskeyCredentialEntity, { id, userId }, { disableIdentityMap: true });
      return row ? toDomain(row) : null;
    });
  }

  async delete(id: string, userId: string): Promise<boolean> {
    return (await currentEm(this.orm).nativeDelete(PasskeyCredentialEntity, { id, userId })) > 0;
  }

  async recordUse(
    id: string,
    update: { expectedSignCount: number; signCount: number; backupState: boolean; lastUsedAt: Date },
  ): Promise<boolean> {
    const changed = await run(this.orm, RECORD_USE, [
      update.signCount,
      update.backupState,
      update.lastUsedAt,
      id,
      update.expectedSignCount,
    ]);
    return changed === 1;
  }
}

function toDomain(row: PasskeyRow): PasskeyCredential {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    credentialId: row.credentialId,
    publicKey: new Uint8Array(row.publicKey),
    signCount: Number(row.signCount),
    aaguid: row.aaguid ?? null,
    transports: [...parseJson<string[]>(row.transports)],
    backupEligible: row.backupEligible,
    backupState: row.backupState,
    attestationType: row.attestationType ?? null,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt ?? null,
  };
}
