import type { ApiKey, ApiKeyRepository, ApiKeySortColumn, NewApiKey } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

type ApiKeyRow = InferEntity<typeof ApiKeyEntity>;

/** API keys; renewing is one conditional update (`where expires_at <= now`), so only one renewal wins. */
export class MikroOrmApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    const row: ApiKeyRow = {
      ...key,
      lastUsedAt: null,
      expirationEmailSent: false,
      createdAt: new Date(),
    };
    await currentEm(this.orm).insert(ApiKeyEntity, row);
    return toDomain(row);
  }

  async findForUser(id: string, userId: string): Promise<ApiKey | null> {
    const row = await currentEm(this.orm).findOne(ApiKeyEntity, { id, userId }, { disableIdentityMap: true });
    return row ? toDomain(row) : null;
  }

  async findActiveByHash(keyHash: string, now: Date): Promise<ApiKey | null> {
    const row = await currentEm(this.orm).findOne(
      ApiKeyEntity,
      { keyHash, expiresAt: { $gt: now } },
      { disableIdentityMap: true },
    );
    return row ? toDomain(row) : null;
  }

  countByUser(userId: string): Promise<number> {
    return currentEm(this.orm).count(ApiKeyEntity, { userId });
  }

  async listByUser(
    userId: string,
    options: {
      offset: number;
      limit: number;
      sort?: { column: ApiKeySortColumn; direction: 'asc' | 'desc' };
    },
  ): Promise<ApiKey[]> {
    const orderBy = options.sort
      ? [
          { [options.sort.column]: options.sort.direction },
          { createdAt: 'asc' as const },
          { id: 'asc' as const },
        ]
      : [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
    const rows = await currentEm(this.orm).find(
      ApiKeyEntity,
      { userId },
      { orderBy, offset: options.offset, limit: options.limit, disableIdentityMap: true },
    );
    return rows.map(toDomain);
  }

  async renewExpired(
    id: string,
    userId: string,
    update: { keyHash: string; expiresAt: Date },
    now: Date,
  ): Promise<ApiKey | null> {
    const changed = await currentEm(this.orm).nativeUpdate(
      ApiKeyEntity,
      { id, userId, expiresAt: { $lte: now } },
      { keyHash: update.keyHash, expiresAt: update.expiresAt, expirationEmailSent: false },
    );
    return changed === 1 ? this.findForUser(id, userId) : null;
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await currentEm(this.orm).nativeUpdate(ApiKeyEntity, { id }, { lastUsedAt: at });
  }

  async delete(id: string, userId: string): Promise<boolean> {
    return (await currentEm(this.orm).nativeDelete(ApiKeyEntity, { id, userId })) === 1;
  }
}

function toDomain(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    keyHash: row.keyHash,
    userId: row.userId,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt ?? null,
    expirationEmailSent: row.expirationEmailSent,
    createdAt: row.createdAt,
  };
}
