import { RATE_POLICIES } from '@latchkey/core';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../test-support.js';

describeEachDialect('MikroOrmRateLimitStore', (db) => {
  it('shares one bucket per key and refuses past the burst, even under concurrency', async () => {
    const storage = await db.open();
    const policy = RATE_POLICIES['one-time-access-token']; // burst 5
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        storage.database.withScope(() => storage.rateLimits.take('ip:1.2.3.4', policy, now)),
      ),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.retryAfterSeconds).toBe(10);
    // another key has its own bucket
    expect(
      (await storage.database.withScope(() => storage.rateLimits.take('ip:5.6.7.8', policy, now))).allowed,
    ).toBe(true);
    // ten seconds later one token is back
    const later = new Date(now.getTime() + 10_000);
    expect(
      (await storage.database.withScope(() => storage.rateLimits.take('ip:1.2.3.4', policy, later))).allowed,
    ).toBe(true);
    expect(await storage.rateLimits.deleteIdle(new Date(now.getTime() + 5_000))).toBe(1);
  });
});
