import type { NewSignupToken, SignupToken } from './signup-token.js';

export type SignupTokenSortColumn = 'createdAt' | 'expiresAt' | 'usageLimit' | 'usageCount';

export interface SignupTokenRepository {
  /** Stores the token with those of `userGroupIds` that exist (unknown ids are dropped). */
  insert(token: NewSignupToken): Promise<SignupToken>;
  count(): Promise<number>;
  /** Oldest first unless sorted. */
  list(options: {
    offset: number;
    limit: number;
    sort?: { column: SignupTokenSortColumn; direction: 'asc' | 'desc' };
  }): Promise<SignupToken[]>;
  /** Returns whether a token was deleted. */
  delete(id: string): Promise<boolean>;
  /**
   * Takes one use of the token with this hash, only while it is unexpired at `now` and below its usage
   * limit, in one conditional update (so concurrent signups cannot overrun the limit). Returns the token
   * after the update, or null when no use was taken. Call it in the transaction that creates the user,
   * so a failed creation gives the use back.
   */
  use(tokenHash: string, now: Date): Promise<SignupToken | null>;
}
