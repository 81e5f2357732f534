import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { AppSettingsProvider } from '../app-config/app-settings.js';
import type { EventBus } from '../kernel/event-bus.js';
import type { User } from '../users/user.js';
import type { UserRepository } from '../users/user.repository.port.js';
import type { Session } from './session.js';
import type { SessionRepository } from './session.repository.port.js';

/** SHA-256 in hex. `crypto.hash` is the one-shot form: a third of createHash's cost per call. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * Browser sessions: a server-side record, and a random token in Pocket ID's sign-in cookie. Only the
 * token's hash is stored, so a database leak hands out no sessions, and revoking is a row update
 * (Pocket ID's cookie is a self-contained JWT that cannot be revoked before it expires).
 */
export class SessionService {
  constructor(
    private readonly deps: {
      sessions: SessionRepository;
      users: UserRepository;
      settings: AppSettingsProvider;
      /** `session.ended` goes out for each session that ends here (back-channel logout listens). */
      events?: Pick<EventBus, 'emit'>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(
    user: User,
    amr: string[],
    client: { ip: string | null; userAgent: string | null },
  ): Promise<{ token: string; session: Session; maxAgeSeconds: number }> {
    const { sessionDuration } = await this.deps.settings.get();
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const session = await this.deps.sessions.insert({
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashToken(token),
      amr,
      authTime: now,
      expiresAt: new Date(now.getTime() + sessionDuration * 60_000),
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return { token, session, maxAgeSeconds: sessionDuration * 60 };
  }

  /** The active session behind a cookie token and its user; null when unknown, expired or revoked. */
  async resolve(token: string): Promise<{ session: Session; user: User } | null> {
    if (!token) return null;
    const session = await this.deps.sessions.findActiveByTokenHash(hashToken(token), this.now());
    if (!session) return null;
    const user = await this.deps.users.findById(session.userId);
    return user ? { session, user } : null;
  }

  async revoke(sessionId: string): Promise<boolean> {
    const revoked = await this.deps.sessions.revoke(sessionId, this.now());
    if (revoked) await this.deps.events?.emit('session.ended', { sessionId });
    return revoked;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const ids = await this.deps.sessions.revokeAllForUser(userId, this.now());
    for (const sessionId of ids) await this.deps.events?.emit('session.ended', { sessionId });
    return ids.length;
  }
}
