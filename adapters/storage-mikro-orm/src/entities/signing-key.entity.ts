import { defineEntity, p } from '@mikro-orm/core';

export const SigningKeyEntity = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: p.string().primary(),
    alg: p.string().length(16),
    encryptedPrivateJwk: p.text(),
    publicJwk: p.text(),
    createdAt: p.datetime(),
    retiredAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
  },
});
