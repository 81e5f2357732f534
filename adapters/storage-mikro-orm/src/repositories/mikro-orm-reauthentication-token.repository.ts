import type { ReauthenticationToken, ReauthenticationTokenRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ReauthenticationTokenEntity } from '../entities/reauthentication-token.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { selectAll } from './raw-sql.js';

type TokenRow = InferEntity<typeof ReauthenticationTokenEntity>;

/** Single use in one statement, as for WebAuthn challenges: the delete that removes the row returns it. */
const CONSUME = `delete from reauthentication_tokens where token_hash = ? and expires_at > ?
returning token_hash, user_id, created_at, expires_at`;

export class MikroOrmReauthenticationTokenRepository implements ReauthenticationTokenRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(token: ReauthenticationToken): Promise<void> {
    const row: TokenRow = { ...token };
    await currentEm(this.orm).insert(ReauthenticationTokenEntity, row);
  }

  async consume(tokenHash: string, now: Date): Promise<ReauthenticationToken | null> {
    const [row] = await selectAll<TokenRow>(currentEm(this.orm), ReauthenticationTokenEntity, CONSUME, [
      tokenHash,
      now,
    ]);
    return row
      ? { tokenHash: row.tokenHash, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt }
      : null;
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(ReauthenticationTokenEntity, { expiresAt: { $lte: now } });
  }
}
