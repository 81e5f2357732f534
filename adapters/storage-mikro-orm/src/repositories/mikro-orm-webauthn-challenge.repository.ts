import type { ChallengePurpose, WebauthnChallenge, WebauthnChallengeRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { WebauthnChallengeEntity } from '../entities/webauthn-challenge.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { run, selectAll } from './raw-sql.js';

type ChallengeRow = InferEntity<typeof WebauthnChallengeEntity>;

/**
 * Single use in one statement: the delete that removes the row also returns it, so of concurrent
 * consumers (on any instance) only the one whose delete removed the row gets it. PostgreSQL and
 * SQLite 3.35+ (better-sqlite3 bundles a newer one) both have `delete … returning`.
 */
const CONSUME = `delete from webauthn_challenges where id = ? and expires_at > ?
returning id, challenge, user_id, purpose, user_verification, created_at, expires_at`;

const INSERT = `insert into webauthn_challenges
(id, challenge, user_id, purpose, user_verification, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)`;

export class MikroOrmWebauthnChallengeRepository implements WebauthnChallengeRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(challenge: WebauthnChallenge): Promise<void> {
    // Hand-written SQL: this is on every sign-in (see raw-sql.ts).
    await run(this.orm, INSERT, [
      challenge.id,
      challenge.challenge,
      challenge.userId,
      challenge.purpose,
      challenge.userVerification,
      challenge.createdAt,
      challenge.expiresAt,
    ]);
  }

  async consume(id: string, now: Date): Promise<WebauthnChallenge | null> {
    const [row] = await selectAll<ChallengeRow>(this.orm, WebauthnChallengeEntity, CONSUME, [id, now]);
    return row ? toDomain(row) : null;
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(WebauthnChallengeEntity, { expiresAt: { $lte: now } });
  }
}

function toDomain(row: ChallengeRow): WebauthnChallenge {
  return {
    id: row.id,
    challenge: row.challenge,
    userId: row.userId ?? null,
    purpose: row.purpose as ChallengePurpose,
    userVerification: row.userVerification as WebauthnChallenge['userVerification'],
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}
