/** A logout token waiting to reach one client's `backchannel_logout_uri`. */
export interface QueuedLogout {
  id: string;
  clientId: string;
  /** The last token signed for this delivery; re-signed when it has expired (see the service). */
  logoutToken: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}

/** A client that received tokens in a browser session and asked to hear when that session ends. */
export interface LogoutSubscriber {
  clientId: string;
  backchannelLogoutUri: string;
  userId: string;
}

/**
 * The durable queue behind Back-Channel Logout. Rows are claimed one at a time by moving
 * `next_attempt_at` forward in one conditional update, so two instances (or the job and the
 * immediate attempt) never send the same delivery at once.
 */
export interface BackchannelLogoutRepository {
  /** Clients with a back-channel URI that hold tokens issued in `sessionId`. */
  subscribersOfSession(sessionId: string): Promise<LogoutSubscriber[]>;
  enqueue(items: Omit<QueuedLogout, 'attempts' | 'lastError' | 'createdAt'>[]): Promise<void>;
  /** Due deliveries, oldest first, with each client's current URI (null when it was removed). */
  due(now: Date, limit: number): Promise<(QueuedLogout & { backchannelLogoutUri: string | null })[]>;
  /** Takes a due row for `leaseUntil`; false when another worker took it first. */
  claim(id: string, expectedNextAttemptAt: Date, leaseUntil: Date): Promise<boolean>;
  /** Records a failed attempt and when to try again. */
  reschedule(
    id: string,
    update: { attempts: number; nextAttemptAt: Date; lastError: string; logoutToken: string },
  ): Promise<void>;
  remove(id: string): Promise<void>;
  /** How many deliveries are waiting (for tests and metrics). */
  count(): Promise<number>;
}
