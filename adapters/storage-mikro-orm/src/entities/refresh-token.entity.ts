import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity.js';

export const RefreshTokenEntity = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: p.string().primary(),
    familyId: () =>
      p.manyToOne(RefreshTokenFamilyEntity).mapToPk().joinColumn('family_id').deleteRule('cascade').index(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
    /** Set when rotated; a second use is a replay. */
    usedAt: p.datetime().nullable(),
  },
});
