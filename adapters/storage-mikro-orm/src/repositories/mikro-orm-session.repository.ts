import type { Session, SessionRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { SessionEntity } from '../entities/session.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';

type SessionRow = InferEntity<typeof SessionEntity>;

/** Hand-written SQL for the statements every sign-in and session check makes (see raw-sql.ts). */
const INSERT = `insert into sessions
(id, user_id, token_hash, amr, auth_time, created_at, expires_at, last_seen_at, ip, user_agent, revoked_at)
values (?, ?, ?, ?, ?, ?, ?, null, ?, ?, null)`;
const ACTIVE_BY_TOKEN_HASH = `select id, user_id, token_hash, amr, auth_time, created_at, expires_at, last_seen_at, ip,
user_agent, revoked_at from sessions where token_hash = ? and revoked_at is null and expires_at > ?`;

/**
 * A session is active while `revoked_at` is null and `expires_at` is after `now`. Revoking is one
 * conditional update, so the returned count only includes sessions that were still active.
 */
export class MikroOrmSessionRepository implements SessionRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(session: Omit<Session, 'createdAt' | 'lastSeenAt' | 'revokedAt'>): Promise<Session> {
    const row: SessionRow = {
      id: session.id,
      userId: session.userId,
      tokenHash: session.tokenHash,
      amr: [...session.amr],
      authTime: session.authTime,
      createdAt: new Date(),
      expiresAt: session.expiresAt,
      lastSeenAt: null,
      ip: session.ip,
      userAgent: session.userAgent,
      revokedAt: null,
    };
    await run(this.orm, INSERT, [
      row.id,
      row.userId,
      row.tokenHash,
      JSON.stringify(row.amr),
      row.authTime,
      row.createdAt,
      row.expiresAt,
      row.ip,
      row.userAgent,
    ]);
    return toDomain(row);
  }

  async findActiveByTokenHash(tokenHash: string, now: Date): Promise<Session | null> {
    const row = await selectOne<SessionRow>(this.orm, SessionEntity, ACTIVE_BY_TOKEN_HASH, [tokenHash, now]);
    return row ? toDomain(row) : null;
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const changed = await currentEm(this.orm).nativeUpdate(
      SessionEntity,
      { id, revokedAt: null, expiresAt: { $gt: now } },
      { revokedAt: now },
    );
    return changed === 1;
  }

  async revokeAllForUser(userId: string, now: Date): Promise<string[]> {
    const em = currentEm(this.orm);
    const active = { userId, revokedAt: null, expiresAt: { $gt: now } };
    const rows = await em.find(SessionEntity, active, { fields: ['id'], disableIdentityMap: true });
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    // Only those still active are reported: a concurrent revocation reports its own.
    await em.nativeUpdate(SessionEntity, { ...active, id: { $in: ids } }, { revokedAt: now });
    return ids;
  }

  /** Strictly before: a session that expired or was revoked exactly at `before` stays. */
  async deleteStale(before: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(SessionEntity, {
      $or: [{ expiresAt: { $lt: before } }, { revokedAt: { $lt: before } }],
    });
  }
}

function toDomain(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    amr: [...parseJson<string[]>(row.amr)],
    authTime: row.authTime,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastSeenAt: row.lastSeenAt ?? null,
    ip: row.ip ?? null,
    userAgent: row.userAgent ?? null,
    revokedAt: row.revokedAt ?? null,
  };
}
