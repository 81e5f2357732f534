import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore, RATE_POLICIES, takeToken } from './rate-limit.js';

describe('token bucket', () => {
  it('allows the burst, then refuses with the seconds until the next token', () => {
    const policy = RATE_POLICIES['one-time-access-token']; // 1 per 10 s, burst 5
    let bucket;
    for (let i = 0; i < 5; i++) {
      const r = takeToken(bucket, policy, 1_000);
      expect(r.allowed).toBe(true);
      bucket = r.bucket;
    }
    const refused = takeToken(bucket, policy, 1_000);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    expect(takeToken(refused.bucket, policy, 7_000).retryAfterSeconds).toBe(4);
    expect(takeToken(refused.bucket, policy, 11_000).allowed).toBe(true);
  });

  it('never refills past the burst', () => {
    const r = takeToken({ tokens: 0, updatedAt: 0 }, RATE_POLICIES.signup, 10 * 3_600_000);
    expect(r.bucket.tokens).toBe(RATE_POLICIES.signup.burst - 1);
  });

  it('sweeps idle memory buckets', async () => {
    const store = new MemoryRateLimitStore();
    await store.take('a', RATE_POLICIES.api, new Date(1000));
    await store.take('b', RATE_POLICIES.api, new Date(5000));
    expect(await store.deleteIdle(new Date(2000))).toBe(1);
    expect(store.size).toBe(1);
  });
});
