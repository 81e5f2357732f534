import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { UserEntity } from './user.entity.js';

/** A pending WebAuthn ceremony; single use, so it lives in the database, not in one instance's memory. */
export const WebauthnChallengeEntity = defineEntity({
  name: 'WebauthnChallenge',
  tableName: 'webauthn_challenges',
  properties: {
    id: uuidPk(),
    challenge: p.string(),
    /** Null for a discoverable (username-less) sign-in. */
    userId: () =>
      p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('cascade').index(),
    /** `registration`, `authentication` or `reauthentication`. */
    purpose: p.string().length(32),
    userVerification: p.string().length(16),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
