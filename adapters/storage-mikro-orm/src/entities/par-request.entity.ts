import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';

/** RFC 9126: a pushed authorization request, referenced by its `request_uri`. */
export const ParRequestEntity = defineEntity({
  name: 'ParRequest',
  tableName: 'par_requests',
  properties: {
    requestUri: p.string().primary(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    parameters: p.json<Record<string, string>>(),
    createdAt: createdAt(),
    expiresAt: p.datetime().index(),
  },
});
