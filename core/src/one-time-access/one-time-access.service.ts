import { randomInt } from 'node:crypto';
import { ProblemError } from '../errors/problem.errors.js';
import { hashToken } from '../sessions/session.service.js';
import type { User } from '../users/user.js';
import type { UserRepository } from '../users/user.repository.port.js';
import type { OneTimeAccessTokenRepository } from './one-time-access.repository.port.js';

/** Pocket ID's alphabet: no I, i, l, O, o, so codes survive being read aloud; exchange maps I→1, O→0. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ0123456789';
const SHORT_TTL_MS = 15 * 60_000;
export const DEFAULT_LOGIN_CODE_TTL_MS = SHORT_TTL_MS;

const invalid = () =>
  new ProblemError({
    status: 401,
    code: 'token_invalid_or_expired',
    detail: 'The login code is invalid or has expired',
  });

/**
 * Login codes (pocket-id-api.md §4.6): single use, expiring, stored hashed. A code that lives at most
 * 15 minutes has 6 characters, a longer-lived one 12, as in Pocket ID.
 */
export class OneTimeAccessService {
  constructor(
    private readonly deps: { tokens: OneTimeAccessTokenRepository; users: UserRepository; now?: () => Date },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(
    userId: string,
    ttlMs = DEFAULT_LOGIN_CODE_TTL_MS,
  ): Promise<{ code: string; expiresAt: Date }> {
    const length = ttlMs <= SHORT_TTL_MS ? 6 : 12;
    let code = '';
    for (let i = 0; i < length; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const now = this.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await this.deps.tokens.insert({
      tokenHash: hashToken(code),
      userId,
      deviceTokenHash: null,
      createdAt: now,
      expiresAt,
    });
    return { code, expiresAt };
  }

  /** Spends a code; returns its user. Unknown, used or expired codes are one 401, so nothing leaks. */
  async exchange(code: string): Promise<User> {
    const normalized = code.replace(/[Ii]/g, '1').replace(/[Oo]/g, '0');
    if (normalized.length !== 6 && normalized.length !== 12) throw invalid();
    const token = await this.deps.tokens.consume(hashToken(normalized), this.now());
    if (!token) throw invalid();
    const user = await this.deps.users.findById(token.userId);
    if (!user) throw invalid();
    if (user.disabled)
      throw new ProblemError({ status: 403, code: 'user_disabled', detail: 'Your account is disabled' });
    return user;
  }
}
