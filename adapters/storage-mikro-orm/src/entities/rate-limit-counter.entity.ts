import { defineEntity, p } from '@mikro-orm/core';

/**
 * A token bucket shared by every instance, for the low-rate limits that guard secrets
 * (Pocket ID §8: one-time codes, sign-in, signup). The broad per-IP limit stays in memory.
 */
export const RateLimitCounterEntity = defineEntity({
  name: 'RateLimitCounter',
  tableName: 'rate_limit_counters',
  properties: {
    key: p.string().primary(),
    tokens: p.double().$type<number>(),
    /** When `tokens` was last computed; refill is derived from the time since. */
    updatedAt: p.datetime().index(),
  },
});
