import type { UserGroupMinimalDto } from '../groups/user-group.dto.js';
import {
  DEFAULT_ACCESS_TOKEN_MINUTES,
  DEFAULT_REFRESH_TOKEN_MINUTES,
  type OidcClient,
  type OidcClientSecret,
} from './oidc-client.js';

/** Pocket ID's OidcClientMetaDataDto (pocket-id-api.md §3): what the public `/meta` route shows. */
export interface OidcClientMetaDataDto {
  id: string;
  name: string;
  description: string | null;
  hasLogo: boolean;
  hasDarkLogo: boolean;
  launchURL: string | null;
  requiresReauthentication: boolean;
  clientType: 'standard' | 'cimd';
}

export interface OidcClientSecretDto {
  id: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  isActive: boolean;
}

/** Pocket ID's OidcClientDto plus two fields of ours (`idTokenDurationMinutes`, `backchannelLogoutURI`). */
export interface OidcClientDto extends OidcClientMetaDataDto {
  callbackURLs: string[];
  logoutCallbackURLs: string[];
  isPublic: boolean;
  pkceEnabled: boolean;
  requiresPushedAuthorizationRequests: boolean;
  skipConsent: boolean;
  credentials: { secrets: OidcClientSecretDto[] };
  isGroupRestricted: boolean;
  /** Omitted when false, as Pocket ID does. */
  pkceSupported?: true;
  accessTokenDurationMinutes: number;
  refreshTokenDurationMinutes: number;
  idTokenDurationMinutes: number | null;
  backchannelLogoutURI: string | null;
}

export type OidcClientWithAllowedUserGroupsDto = OidcClientDto & { allowedUserGroups: UserGroupMinimalDto[] };
export type OidcClientWithAllowedGroupsCountDto = OidcClientDto & { allowedUserGroupsCount: number };

export function toOidcClientMetaDataDto(client: OidcClient): OidcClientMetaDataDto {
  return {
    id: client.id,
    name: client.name,
    description: client.description,
    hasLogo: client.logoType !== null,
    hasDarkLogo: client.darkLogoType !== null,
    launchURL: client.launchUrl,
    requiresReauthentication: client.requiresReauthentication,
    clientType: client.clientType,
  };
}

export function toOidcClientSecretDto(secret: OidcClientSecret, now = new Date()): OidcClientSecretDto {
  return {
    id: secret.id,
    prefix: secret.prefix ?? '',
    createdAt: secret.createdAt.toISOString(),
    expiresAt: secret.expiresAt?.toISOString() ?? null,
    isActive: secret.expiresAt === null || secret.expiresAt.getTime() > now.getTime(),
  };
}

export function toOidcClientDto(client: OidcClient, secrets: OidcClientSecret[]): OidcClientDto {
  const now = new Date();
  return {
    ...toOidcClientMetaDataDto(client),
    callbackURLs: client.callbackUrls,
    logoutCallbackURLs: client.logoutCallbackUrls,
    isPublic: client.isPublic,
    pkceEnabled: client.pkceEnabled,
    requiresPushedAuthorizationRequests: client.requiresPushedAuthorizationRequests,
    skipConsent: client.skipConsent,
    credentials: { secrets: secrets.map((s) => toOidcClientSecretDto(s, now)) },
    isGroupRestricted: client.isGroupRestricted,
    ...(client.pkceSupported ? { pkceSupported: true as const } : {}),
    accessTokenDurationMinutes: client.accessTokenLifetimeMinutes ?? DEFAULT_ACCESS_TOKEN_MINUTES,
    refreshTokenDurationMinutes: client.refreshTokenLifetimeMinutes ?? DEFAULT_REFRESH_TOKEN_MINUTES,
    idTokenDurationMinutes: client.idTokenLifetimeMinutes,
    backchannelLogoutURI: client.backchannelLogoutUri,
  };
}
