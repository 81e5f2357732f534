import type { ClaimOwner, CustomClaim } from './custom-claim.js';

export interface CustomClaimRepository {
  /** The owner's claims, ordered by key. */
  list(owner: ClaimOwner): Promise<CustomClaim[]>;
  /** Claims of many owners at once (one query per kind), keyed by user or group id. */
  listMany(owners: { userIds?: string[]; groupIds?: string[] }): Promise<{
    users: Map<string, CustomClaim[]>;
    groups: Map<string, CustomClaim[]>;
  }>;
  /** Replaces the owner's whole set; call it inside a transaction. */
  replace(owner: ClaimOwner, claims: CustomClaim[]): Promise<void>;
  /** Distinct keys in use, most used first (ties by key). */
  keysByUse(): Promise<string[]>;
}
