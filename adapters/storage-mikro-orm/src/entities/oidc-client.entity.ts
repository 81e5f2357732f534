import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt } from './columns.js';
import { UserEntity } from './user.entity.js';

/**
 * Pocket ID §9: custom client ids are 2–128 characters, but a CIMD client's id is its metadata URL,
 * which may be longer; the column takes 255 and core validates the rest.
 */
export const OidcClientEntity = defineEntity({
  name: 'OidcClient',
  tableName: 'oidc_clients',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    description: p.text().nullable(),
    isPublic: p.boolean().default(false),
    pkceEnabled: p.boolean().default(false),
    pkceSupported: p.boolean().default(false),
    requiresReauthentication: p.boolean().default(false),
    requiresPar: p.boolean().default(false),
    skipConsent: p.boolean().default(false),
    launchUrl: p.text().nullable(),
    callbackUrls: p.json<string[]>(),
    logoutCallbackUrls: p.json<string[]>(),
    backchannelLogoutUri: p.text().nullable(),
    /** File extension of the light logo in the FileStore (`png`, `svg`, …); null when none. */
    logoType: p.string().length(16).nullable(),
    darkLogoType: p.string().length(16).nullable(),
    /** Token lifetimes in minutes; null means the default (Pocket ID: 60 and 43200). */
    accessTokenLifetimeMinutes: p.integer().nullable(),
    refreshTokenLifetimeMinutes: p.integer().nullable(),
    idTokenLifetimeMinutes: p.integer().nullable(),
    isGroupRestricted: p.boolean().default(false),
    /** `standard`, or `cimd` for a client described by a metadata document. */
    clientType: p.string().length(16).default('standard'),
    grantTypes: p.json<string[]>(),
    /** When a CIMD client's cached metadata must be fetched again. */
    metadataExpiresAt: p.datetime().nullable(),
    createdById: () =>
      p.manyToOne(UserEntity).mapToPk().nullable().joinColumn('created_by_id').deleteRule('set null'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
