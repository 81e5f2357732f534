import { createHash, randomInt, randomUUID } from 'node:crypto';
import { ProblemError } from '../errors/problem.errors.js';
import type { User } from '../users/user.js';
import type { UserRepository } from '../users/user.repository.port.js';
import type { ApiKey } from './api-key.js';
import type { ApiKeyRepository } from './api-key.repository.port.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** pocket-id-api.md §9: an API key is 32 `[A-Za-z0-9]`, no prefix. */
export function generateApiKeySecret(): string {
  let secret = '';
  for (let i = 0; i < 32; i++) secret += ALNUM[randomInt(ALNUM.length)];
  return secret;
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const apiKeyProblems = {
  notFound: () => new ProblemError({ status: 404, code: 'api_key_not_found', detail: 'API key not found' }),
  notExpired: () =>
    new ProblemError({ status: 409, code: 'api_key_not_expired', detail: 'API key has not expired yet' }),
  expirationInPast: () =>
    new ProblemError({
      status: 400,
      code: 'invalid_api_key_expiration',
      detail: 'API key expiration time must be in the future',
    }),
};

/** Personal API keys (pocket-id-api.md §4.7): the secret is shown once; only its SHA-256 is stored. */
export class ApiKeyService {
  constructor(
    private readonly deps: {
      keys: ApiKeyRepository;
      users: Pick<UserRepository, 'findById'>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(
    user: User,
    input: { name: string; description: string | null; expiresAt: Date },
  ): Promise<{ key: ApiKey; secret: string }> {
    if (input.expiresAt.getTime() <= this.now().getTime()) throw apiKeyProblems.expirationInPast();
    const secret = generateApiKeySecret();
    const key = await this.deps.keys.insert({
      id: randomUUID(),
      name: input.name,
      description: input.description,
      keyHash: hashApiKey(secret),
      userId: user.id,
      expiresAt: input.expiresAt,
    });
    return { key, secret };
  }

  /** A new secret for a key of `user` that has expired (Pocket ID renews only expired keys). */
  async renew(user: User, id: string, expiresAt: Date): Promise<{ key: ApiKey; secret: string }> {
    const now = this.now();
    if (expiresAt.getTime() <= now.getTime()) throw apiKeyProblems.expirationInPast();
    const existing = await this.deps.keys.findForUser(id, user.id);
    if (!existing) throw apiKeyProblems.notFound();
    if (existing.expiresAt.getTime() > now.getTime()) throw apiKeyProblems.notExpired();
    const secret = generateApiKeySecret();
    const key = await this.deps.keys.renewExpired(
      id,
      user.id,
      { keyHash: hashApiKey(secret), expiresAt },
      now,
    );
    // another request renewed it in between
    if (!key) throw apiKeyProblems.notExpired();
    return { key, secret };
  }

  async revoke(user: User, id: string): Promise<void> {
    if (!(await this.deps.keys.delete(id, user.id))) throw apiKeyProblems.notFound();
  }

  /** The owner of an unexpired key, recording the use; null for an unknown or expired key. */
  async authenticate(secret: string): Promise<User | null> {
    if (!secret) return null;
    const now = this.now();
    const key = await this.deps.keys.findActiveByHash(hashApiKey(secret), now);
    if (!key) return null;
    const user = await this.deps.users.findById(key.userId);
    if (!user) return null;
    await this.deps.keys.touchLastUsed(key.id, now);
    return user;
  }
}
