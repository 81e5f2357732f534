import { ProblemError } from '../../errors/problem.errors.js';
import type { CustomClaim } from '../custom-claim.js';

/**
 * Keys a custom claim may not use, because the provider sets them itself (Pocket ID's
 * `service/custom_claim_service.go`, pocket-id-inventory.md §3 "Reserved claim keys").
 */
export const RESERVED_CLAIM_KEYS: ReadonlySet<string> = new Set([
  'given_name',
  'family_name',
  'name',
  'email',
  'email_verified',
  'preferred_username',
  'display_name',
  'groups',
  'type',
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'client_id',
  'nbf',
  'jti',
]);

/** 400 `reserved_claim` naming the first reserved key (`details.key`). */
export function checkReservedKeys(claims: readonly CustomClaim[]): void {
  const hit = claims.find((c) => RESERVED_CLAIM_KEYS.has(c.key));
  if (hit) {
    throw new ProblemError({
      status: 400,
      code: 'reserved_claim',
      detail: `Claim ${hit.key} is reserved and can't be used`,
      details: { key: hit.key },
    });
  }
}
