import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { STATIC_API_USER_ID, type User } from '../users/user.js';
import { UniqueViolationError, type UserRepository } from '../users/user.repository.port.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `STATIC_API_KEY` (Pocket ID §1.5): a key from the environment that authenticates as a synthetic admin,
 * created on first use. Other keys go on to the stored API keys. Compared in constant time.
 */
export class StaticApiKeyAuthenticator {
  private readonly expected: Buffer | undefined;

  constructor(
    private readonly deps: {
      staticApiKey: string | undefined;
      users: UserRepository;
      next: { authenticate(secret: string): Promise<User | null> };
    },
  ) {
    this.expected = deps.staticApiKey ? digest(deps.staticApiKey) : undefined;
  }

  async authenticate(secret: string): Promise<User | null> {
    if (this.expected && timingSafeEqual(digest(secret), this.expected)) return this.ensureUser();
    return this.deps.next.authenticate(secret);
  }

  /** Pocket ID deletes the synthetic user at start when the variable is unset. */
  async removeIfUnset(): Promise<void> {
    if (!this.expected && (await this.deps.users.findById(STATIC_API_USER_ID))) {
      await this.deps.users.delete(STATIC_API_USER_ID);
    }
  }

  private async ensureUser(): Promise<User> {
    const existing = await this.deps.users.findById(STATIC_API_USER_ID);
    if (existing) return existing;
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += ALNUM[randomInt(ALNUM.length)];
    try {
      return await this.deps.users.insert({
        id: STATIC_API_USER_ID,
        username: `static-api-user-${suffix}`,
        email: null,
        emailVerified: false,
        firstName: 'Static API',
        lastName: 'User',
        displayName: 'Static API User',
        isAdmin: true,
        locale: null,
        disabled: false,
      });
    } catch (error) {
      // Two first uses at once: the other request created it.
      if (error instanceof UniqueViolationError) {
        const raced = await this.deps.users.findById(STATIC_API_USER_ID);
        if (raced) return raced;
      }
      throw error;
    }
  }
}
