import { randomInt } from 'node:crypto';
import { hashToken } from '../sessions/session.service.js';

/** Proof of a fresh passkey ceremony, consumed by a sensitive step (consent with re-authentication). */
export interface ReauthenticationToken {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ReauthenticationTokenRepository {
  insert(token: ReauthenticationToken): Promise<void>;
  /** Deletes and returns the token if it has not expired at `now`; single use across instances. */
  consume(tokenHash: string, now: Date): Promise<ReauthenticationToken | null>;
  deleteExpired(now: Date): Promise<number>;
}

/** Pocket ID: 3 minutes. */
export const REAUTHENTICATION_TTL_MS = 180_000;
/** A passkey sign-in this recent counts as a re-authentication by itself (Pocket ID: 1 minute). */
export const FRESH_SIGN_IN_MS = 60_000;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class ReauthenticationService {
  constructor(private readonly deps: { tokens: ReauthenticationTokenRepository; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Issues a token (32 `[A-Za-z0-9]`, as Pocket ID) for `userId`; only its SHA-256 is stored. */
  async issue(userId: string): Promise<{ token: string; maxAgeSeconds: number }> {
    let token = '';
    for (let i = 0; i < 32; i++) token += ALNUM[randomInt(ALNUM.length)];
    const now = this.now();
    await this.deps.tokens.insert({
      tokenHash: hashToken(token),
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + REAUTHENTICATION_TTL_MS),
    });
    return { token, maxAgeSeconds: REAUTHENTICATION_TTL_MS / 1000 };
  }

  /** Spends a token; true only if it was valid and belongs to `userId`. */
  async consume(token: string | undefined, userId: string): Promise<boolean> {
    if (!token) return false;
    const found = await this.deps.tokens.consume(hashToken(token), this.now());
    return found !== null && found.userId === userId;
  }
}
