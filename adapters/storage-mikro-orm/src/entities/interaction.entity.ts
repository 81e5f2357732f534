import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/** An authorization request waiting for the person (Pocket ID's interaction session, 1 hour). */
export const InteractionEntity = defineEntity({
  name: 'Interaction',
  tableName: 'interactions',
  properties: {
    id: uuidPk(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    userId: () =>
      p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('user_id').deleteRule('cascade').index(),
    sessionId: () =>
      p.manyToOne(SessionEntity).mapToPk().nullable().joinColumn('session_id').deleteRule('set null').index(),
    /** The authorization request's parameters, as received (wire names). */
    parameters: p.json<Record<string, string>>(),
    scopes: p.json<string[]>(),
    /** `authenticate`, `select_account`, `reauthenticate`, `consent`, in that order. */
    requiredSteps: p.json<string[]>(),
    completedSteps: p.json<string[]>(),
    reauthenticatedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
