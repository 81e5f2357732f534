import type { ApiKey, NewApiKey } from './api-key.js';

export type ApiKeySortColumn = 'name' | 'expiresAt' | 'lastUsedAt' | 'createdAt';

export interface ApiKeyRepository {
  insert(key: NewApiKey): Promise<ApiKey>;
  /** The key, only if it belongs to `userId`. */
  findForUser(id: string, userId: string): Promise<ApiKey | null>;
  /** A key whose hash matches and that has not expired at `now`. */
  findActiveByHash(keyHash: string, now: Date): Promise<ApiKey | null>;
  countByUser(userId: string): Promise<number>;
  /** Oldest first unless sorted. */
  listByUser(
    userId: string,
    options: {
      offset: number;
      limit: number;
      sort?: { column: ApiKeySortColumn; direction: 'asc' | 'desc' };
    },
  ): Promise<ApiKey[]>;
  /**
   * Gives the key a new secret and expiry, only while it belongs to `userId` and has expired at `now`
   * (one conditional update, so two renewals cannot both win). Returns the renewed key or null.
   */
  renewExpired(
    id: string,
    userId: string,
    update: { keyHash: string; expiresAt: Date },
    now: Date,
  ): Promise<ApiKey | null>;
  touchLastUsed(id: string, at: Date): Promise<void>;
  /** Returns whether a key of `userId` was deleted. */
  delete(id: string, userId: string): Promise<boolean>;
}
