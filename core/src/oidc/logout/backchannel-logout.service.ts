import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Logger } from '../../kernel/logger.js';
import type { Database } from '../../storage/database.port.js';
import type { TokenSigner } from '../tokens/oidc-tokens.js';
import type { BackchannelLogoutRepository, QueuedLogout } from './backchannel-logout.port.js';

/** OIDC Back-Channel Logout 1.0 §2.4: the one member of `events` a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** §2.4 recommends a lifetime of two minutes at most. */
const TOKEN_LIFETIME_SECONDS = 120;
const LEASE_MS = 60_000;
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 3_600_000;

export interface BackchannelLogoutDeps {
  repository: BackchannelLogoutRepository;
  signer: TokenSigner;
  /** The issuer logout tokens name (APP_URL; per organization once organizations exist). */
  issuer: () => string;
  /** Background deliveries run outside any request, in their own unit of work. */
  database: Pick<Database, 'withScope'>;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  /** How long one delivery may take (default 5 s). */
  timeoutMs?: number;
  /** Attempts before a delivery is given up (default 10, about three hours of retries). */
  maxAttempts?: number;
}

/**
 * Back-Channel Logout 1.0 (beyond Pocket ID, which has none): when a browser session ends, every
 * client that received tokens in it and registered a `backchannel_logout_uri` gets a signed logout
 * token (`sub` and `sid`) by a direct POST.
 *
 * Deliveries go through a durable queue: a row is written before anything is sent, the first attempt
 * follows at once in the background, and failures are retried with exponential backoff by a job, so
 * a client that is down for a while, or a restart, loses nothing. Each attempt signs a fresh token
 * (same `jti`), because §2.4's short lifetime would otherwise expire during the retries. A 4xx answer
 * other than 408 and 429 is final (§2.8: the RP refused the token; resending cannot help).
 */
export class BackchannelLogoutService {
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: BackchannelLogoutDeps) {
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.now = deps.now ?? (() => new Date());
    this.timeoutMs = deps.timeoutMs ?? 5_000;
    this.maxAttempts = deps.maxAttempts ?? 10;
  }

  /** Queues a logout token for every subscriber of the session, then starts delivering. */
  async sessionEnded(sessionId: string): Promise<void> {
    const subscribers = await this.deps.repository.subscribersOfSession(sessionId);
    if (subscribers.length === 0) return;
    const now = this.now();
    const items = await Promise.all(
      subscribers.map(async (s) => ({
        id: randomUUID(),
        clientId: s.clientId,
        logoutToken: await this.sign({ aud: s.clientId, sub: s.userId, sid: sessionId, jti: randomUUID() }),
        nextAttemptAt: now,
      })),
    );
    await this.deps.repository.enqueue(items);
    // Not awaited: the person's logout must not wait for the relying parties. The job retries failures.
    this.inFlight = this.deps.database
      .withScope(() => this.deliverDue())
      .catch((err) => this.deps.logger.error({ err }, 'back-channel logout delivery failed'));
  }

  /** Settles when the delivery started by the last `sessionEnded` has finished (for shutdown and tests). */
  idle(): Promise<unknown> {
    return this.inFlight;
  }

  /** Sends every due delivery once; returns how many reached their client. */
  async deliverDue(limit = 50): Promise<number> {
    const now = this.now();
    let delivered = 0;
    for (const row of await this.deps.repository.due(now, limit)) {
      const leaseUntil = new Date(now.getTime() + LEASE_MS);
      if (!(await this.deps.repository.claim(row.id, row.nextAttemptAt, leaseUntil))) continue;
      if (!row.backchannelLogoutUri) {
        // The client dropped its URI since: nobody is listening any more.
        await this.deps.repository.remove(row.id);
        continue;
      }
      if (await this.attempt(row, row.backchannelLogoutUri)) delivered++;
    }
    return delivered;
  }

  private async attempt(row: QueuedLogout, uri: string): Promise<boolean> {
    const claims = decodeJwt(row.logoutToken);
    const token = await this.sign({
      aud: String(claims.aud),
      sub: String(claims.sub),
      sid: String(claims.sid),
      jti: String(claims.jti),
    });
    let error: string;
    let final = false;
    try {
      const res = await this.fetch(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        // §2.5: the RP answers itself; a redirect is not followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) {
        await this.deps.repository.remove(row.id);
        return true;
      }
      error = `HTTP ${res.status}`;
      final = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : err.message) : String(err);
    }
    const attempts = row.attempts + 1;
    const log = { clientId: row.clientId, uri, attempts, error };
    if (final || attempts >= this.maxAttempts) {
      this.deps.logger.warn(log, 'back-channel logout given up: the client did not accept the logout token');
      await this.deps.repository.remove(row.id);
      return false;
    }
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
    this.deps.logger.info(log, 'back-channel logout failed; will retry');
    await this.deps.repository.reschedule(row.id, {
      attempts,
      nextAttemptAt: new Date(this.now().getTime() + delay),
      lastError: error,
      logoutToken: token,
    });
    return false;
  }

  private sign(claims: { aud: string; sub: string; sid: string; jti: string }): Promise<string> {
    return this.deps.signer.sign(
      {
        iss: this.deps.issuer(),
        ...claims,
        iat: Math.floor(this.now().getTime() / 1000),
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      },
      { typ: 'logout+jwt', expiresIn: TOKEN_LIFETIME_SECONDS },
    );
  }
}
