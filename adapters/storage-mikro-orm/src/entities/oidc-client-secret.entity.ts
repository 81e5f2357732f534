import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.js';
import { OidcClientEntity } from './oidc-client.entity.js';

/** Pocket ID §9: `hash` is SHA-256 hex (`alg` `sha256`); secrets imported from v1 are `bcrypt`. */
export const OidcClientSecretEntity = defineEntity({
  name: 'OidcClientSecret',
  tableName: 'oidc_client_secrets',
  properties: {
    id: uuidPk(),
    clientId: () =>
      p.manyToOne(OidcClientEntity).mapToPk().joinColumn('client_id').deleteRule('cascade').index(),
    hash: p.string(),
    alg: p.string().length(16),
    /** The first characters of the secret, shown to admins; null for imported secrets. */
    prefix: p.string().length(16).nullable(),
    createdAt: createdAt(),
    expiresAt: p.datetime().nullable(),
  },
});
