import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';

/** OIDC Back-Channel Logout 1.0: logout tokens waiting to be delivered, with retries. */
export const BackchannelLogoutEntity = defineEntity({
  name: 'BackchannelLogout',
  tableName: 'backchannel_logout_queue',
  properties: {
    id: uuidPk(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    logoutToken: p.text(),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().index(),
    lastError: p.text().nullable(),
    createdAt: createdAt(),
  },
});
