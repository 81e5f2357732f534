import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';

/**
 * A dynamically registered client's registration (RFC 7591/7592): one row per client, gone with it.
 * `accessTokenHash` is the SHA-256 (hex) of the registration access token; `metadata` holds the
 * registered values the client row has no column for (grant types, response types, scope, auth method).
 */
export const OidcClientRegistrationEntity = defineEntity({
  name: 'OidcClientRegistration',
  tableName: 'oidc_client_registrations',
  properties: {
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().primary().joinColumn('client_id').deleteRule('cascade'),
    accessTokenHash: p.string().length(64),
    metadata: p.json<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
