import { ProblemError } from '../errors/problem.errors.js';
import type { RouteDef } from '../http/route.js';
import type { Logger } from '../kernel/logger.js';
import { RATE_POLICIES, type RateLimitStore, type RatePolicyName } from './rate-limit.js';

/**
 * Applies Pocket ID's policies to a request: every route passes the broad `api` bucket (except those
 * that opt out, like `/healthz`), and a route that names a policy also passes that one. A store that
 * fails lets the request through and is logged, as in Pocket ID: an outage of the counter table must
 * not lock everyone out.
 */
export class RateLimiter {
  constructor(
    private readonly deps: {
      memory: RateLimitStore;
      shared: RateLimitStore;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async check(route: RouteDef, ip: string): Promise<void> {
    if (route.rateLimit === false) return;
    await this.take('api', ip);
    if (route.rateLimit) await this.take(route.rateLimit, ip);
  }

  private async take(name: RatePolicyName, ip: string): Promise<void> {
    const policy = RATE_POLICIES[name];
    const store = policy.shared ? this.deps.shared : this.deps.memory;
    let result;
    try {
      result = await store.take(`${name}:${ip}`, policy, this.deps.now?.() ?? new Date());
    } catch (err) {
      this.deps.logger.error({ err, policy: name }, 'rate limiter failed; letting the request through');
      return;
    }
    if (!result.allowed) {
      throw new ProblemError({
        status: 429,
        code: 'rate_limited',
        detail: 'Too many requests',
        headers: { 'retry-after': String(result.retryAfterSeconds) },
      });
    }
  }
}
