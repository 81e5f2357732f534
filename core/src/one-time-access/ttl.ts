import { problems } from '../errors/problem.errors.js';
import { parseDuration } from '../kernel/duration.js';

const MAX_TTL_MS = 744 * 3_600_000; // 31 days, Pocket ID's cap

/**
 * Pocket ID's `ttl` (pocket-id-api.md §1.4): a number of seconds (fraction dropped) or a Go duration
 * string (`15m`, `1h30m`); 0 or "" means "use the default". Otherwise more than 1 s and at most 31 days.
 * Returns milliseconds, or undefined for the default.
 */
export function parseTtl(value: unknown, field = 'ttl'): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) ms = Math.trunc(value) * 1000;
  else if (typeof value === 'string') {
    try {
      ms = parseDuration(value);
    } catch {
      ms = undefined;
    }
  }
  if (ms === undefined || ms <= 1000 || ms > MAX_TTL_MS) {
    throw problems.validationFailed([
      {
        field,
        code: 'ttl',
        message: 'must be seconds or a duration like "15m", more than 1 s and at most 31 days',
      },
    ]);
  }
  return ms;
}
