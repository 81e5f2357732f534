import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';
import { UserEntity } from './user.entity.js';

/** Scopes a user granted a client (Pocket ID's `user_authorized_oidc_clients`). */
export const ConsentEntity = defineEntity({
  name: 'Consent',
  tableName: 'consents',
  properties: {
    userId: () => p.manyToOne(UserEntity).mapToPk().primary().joinColumn('user_id').deleteRule('cascade'),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().primary().joinColumn('client_id').deleteRule('cascade').index(),
    scopes: p.json<string[]>(),
    createdAt: createdAt(),
    lastUsedAt: p.datetime().nullable(),
  },
  primaryKeys: ['userId', 'clientId'],
});
