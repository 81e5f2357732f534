import type { OneTimeAccessToken, OneTimeAccessTokenRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { OneTimeAccessTokenEntity } from '../entities/one-time-access-token.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { selectAll } from './raw-sql.js';

type TokenRow = InferEntity<typeof OneTimeAccessTokenEntity>;

/** Single use in one statement, as for WebAuthn challenges: the delete that removes the row returns it. */
const CONSUME = `delete from one_time_access_tokens where token_hash = ? and expires_at > ?
returning token_hash, user_id, device_token_hash, created_at, expires_at`;

export class MikroOrmOneTimeAccessTokenRepository implements OneTimeAccessTokenRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(token: OneTimeAccessToken): Promise<void> {
    const row: TokenRow = { ...token };
    await currentEm(this.orm).insert(OneTimeAccessTokenEntity, row);
  }

  async consume(tokenHash: string, now: Date): Promise<OneTimeAccessToken | null> {
    const [row] = await selectAll<TokenRow>(currentEm(this.orm), OneTimeAccessTokenEntity, CONSUME, [
      tokenHash,
      now,
    ]);
    if (!row) return null;
    return {
      tokenHash: row.tokenHash,
      userId: row.userId,
      deviceTokenHash: row.deviceTokenHash ?? null,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(OneTimeAccessTokenEntity, { expiresAt: { $lte: now } });
  }
}
