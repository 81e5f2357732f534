/** A login code as stored: only the SHA-256 of the code is kept. */
export interface OneTimeAccessToken {
  tokenHash: string;
  userId: string;
  /** Set for a code sent by email to an anonymous requester: it only works in that browser. */
  deviceTokenHash: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface OneTimeAccessTokenRepository {
  insert(token: OneTimeAccessToken): Promise<void>;
  /**
   * Deletes and returns the token if it exists and has not expired at `now`, atomically: of two
   * concurrent exchanges of one code, at most one gets it (single use across instances).
   */
  consume(tokenHash: string, now: Date): Promise<OneTimeAccessToken | null>;
  deleteExpired(now: Date): Promise<number>;
}
