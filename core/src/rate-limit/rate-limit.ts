/**
 * Pocket ID's rate-limit policies (pocket-id-api.md §8): token buckets per client IP. The broad `api`
 * policy counts in each instance's memory; the low-rate ones that guard secrets count in the database
 * (`shared`), so an attacker cannot multiply them by spreading requests over instances.
 */
export interface RatePolicy {
  /** Tokens added per second. */
  rate: number;
  burst: number;
  shared: boolean;
}

export const RATE_POLICIES = {
  api: { rate: 100, burst: 300, shared: false },
  signup: { rate: 2 / 60, burst: 10, shared: true },
  'webauthn-login': { rate: 1 / 5, burst: 10, shared: true },
  'webauthn-reauthenticate': { rate: 1 / 10, burst: 5, shared: true },
  'one-time-access-token': { rate: 1 / 10, burst: 5, shared: true },
  'one-time-access-email': { rate: 2 / 600, burst: 5, shared: true },
} as const satisfies Record<string, RatePolicy>;

export type RatePolicyName = keyof typeof RATE_POLICIES;

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until a token is available (≥ 1) when refused. */
  retryAfterSeconds: number;
  bucket: Bucket;
}

/** One step of the token bucket: refill for the time elapsed, then take a token if there is one. */
export function takeToken(bucket: Bucket | undefined, policy: RatePolicy, nowMs: number): TakeResult {
  const elapsed = bucket ? Math.max(0, nowMs - bucket.updatedAt) / 1000 : 0;
  const tokens = bucket ? Math.min(policy.burst, bucket.tokens + elapsed * policy.rate) : policy.burst;
  if (tokens >= 1)
    return { allowed: true, retryAfterSeconds: 0, bucket: { tokens: tokens - 1, updatedAt: nowMs } };
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / policy.rate)),
    bucket: { tokens, updatedAt: nowMs },
  };
}

/** Where shared buckets live (the database); `take` must be atomic per key across instances. */
export interface RateLimitStore {
  take(key: string, policy: RatePolicy, now: Date): Promise<TakeResult>;
  /** Removes buckets untouched since `before` (they would be full again anyway). */
  deleteIdle(before: Date): Promise<number>;
}

/** In-process buckets for the broad policy; idle ones are swept so memory stays bounded. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();

  async take(key: string, policy: RatePolicy, now: Date): Promise<TakeResult> {
    const result = takeToken(this.buckets.get(key), policy, now.getTime());
    this.buckets.set(key, result.bucket);
    return result;
  }

  async deleteIdle(before: Date): Promise<number> {
    let removed = 0;
    for (const [key, bucket] of this.buckets) {
      if (bucket.updatedAt < before.getTime()) {
        this.buckets.delete(key);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.buckets.size;
  }
}
