import type { Session } from './session.js';

export interface SessionRepository {
  insert(session: Omit<Session, 'createdAt' | 'lastSeenAt' | 'revokedAt'>): Promise<Session>;
  /** The session with this token hash, if it is neither revoked nor expired at `now`. */
  findActiveByTokenHash(tokenHash: string, now: Date): Promise<Session | null>;
  /** Marks one session revoked; returns whether it was active. */
  revoke(id: string, now: Date): Promise<boolean>;
  /** Revokes every active session of a user (disabled or deleted user); returns how many. */
  /** Revokes the user's active sessions; returns their ids. */
  revokeAllForUser(userId: string, now: Date): Promise<string[]>;
  /** Deletes sessions that expired or were revoked before `before` (a cleanup job). */
  deleteStale(before: Date): Promise<number>;
}
