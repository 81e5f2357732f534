import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';

export const PasskeyCredentialEntity = defineEntity({
  name: 'PasskeyCredential',
  tableName: 'passkey_credentials',
  properties: {
    id: uuidPk(),
    userId: () => p.manyToOne(UserEntity).mapToPk().joinColumn('user_id').deleteRule('cascade').index(),
    name: p.string(),
    /** The WebAuthn credential id, base64url, as the browser sends it. */
    credentialId: p.text().unique(),
    /** COSE-encoded public key. */
    publicKey: p.blob(),
    /** WebAuthn's signature counter is an unsigned 32-bit integer: it overflows a PostgreSQL `integer`. */
    signCount: p.bigint('number').default(0),
    aaguid: p.string().length(36).nullable(),
    transports: p.json<string[]>(),
    backupEligible: p.boolean().default(false),
    backupState: p.boolean().default(false),
    attestationType: p.string().length(32).nullable(),
    createdAt: createdAt(),
    lastUsedAt: p.datetime().nullable(),
  },
});
