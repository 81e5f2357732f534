import { ProblemError } from '../../errors/problem.errors.js';
import type { CustomClaim } from '../custom-claim.js';

/** 400 `duplicate_claim` naming the first key sent twice in one set (`details.key`). */
export function checkDuplicateKeys(claims: readonly CustomClaim[]): void {
  const seen = new Set<string>();
  for (const { key } of claims) {
    if (seen.has(key)) {
      throw new ProblemError({
        status: 400,
        code: 'duplicate_claim',
        detail: `Claim ${key} is defined more than once`,
        details: { key },
      });
    }
    seen.add(key);
  }
}
