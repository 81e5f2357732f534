import type { Interaction, InteractionRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { InteractionEntity } from '../entities/interaction.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

type InteractionRow = InferEntity<typeof InteractionEntity>;
type InteractionPatch = Parameters<InteractionRepository['update']>[1];

/**
 * Authorization requests waiting for the person. An interaction is live while `expires_at > now`;
 * `deleteExpired(now)` removes the others (`expires_at <= now`). Reads bypass the identity map.
 */
export class MikroOrmInteractionRepository implements InteractionRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(interaction: Interaction): Promise<void> {
    const row: InteractionRow = {
      ...interaction,
      parameters: { ...interaction.parameters },
      scopes: [...interaction.scopes],
      requiredSteps: [...interaction.requiredSteps],
      completedSteps: [...interaction.completedSteps],
    };
    await currentEm(this.orm).insert(InteractionEntity, row);
  }

  async find(id: string, now: Date): Promise<Interaction | null> {
    const row = await currentEm(this.orm).findOne(
      InteractionEntity,
      { id, expiresAt: { $gt: now } },
      { disableIdentityMap: true },
    );
    return row ? toDomain(row) : null;
  }

  /** Only the fields present in `patch` change (an explicit null clears); an empty patch is a no-op. */
  async update(id: string, patch: InteractionPatch): Promise<void> {
    const data: Partial<InteractionRow> = {};
    if (patch.userId !== undefined) data.userId = patch.userId;
    if (patch.sessionId !== undefined) data.sessionId = patch.sessionId;
    if (patch.requiredSteps !== undefined) data.requiredSteps = [...patch.requiredSteps];
    if (patch.completedSteps !== undefined) data.completedSteps = [...patch.completedSteps];
    if (patch.reauthenticatedAt !== undefined) data.reauthenticatedAt = patch.reauthenticatedAt;
    if (Object.keys(data).length === 0) return;
    await currentEm(this.orm).nativeUpdate(InteractionEntity, { id }, data);
  }

  async delete(id: string): Promise<boolean> {
    return (await currentEm(this.orm).nativeDelete(InteractionEntity, { id })) > 0;
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(InteractionEntity, { expiresAt: { $lte: now } });
  }
}

function toDomain(row: InteractionRow): Interaction {
  return {
    id: row.id,
    clientId: row.clientId,
    userId: row.userId ?? null,
    sessionId: row.sessionId ?? null,
    parameters: { ...row.parameters },
    scopes: [...row.scopes],
    requiredSteps: [...row.requiredSteps],
    completedSteps: [...row.completedSteps],
    reauthenticatedAt: row.reauthenticatedAt ?? null,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}
