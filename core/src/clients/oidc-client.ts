/**
 * A relying party (Pocket ID's OIDC client, pocket-id-api.md §4.10). Plain data: repositories map to
 * and from it. Token lifetimes are null when the client uses the defaults.
 */
export interface OidcClient {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  pkceEnabled: boolean;
  /** Set by the authorize endpoint when a client that does not require PKCE sends a challenge. */
  pkceSupported: boolean;
  requiresReauthentication: boolean;
  requiresPushedAuthorizationRequests: boolean;
  skipConsent: boolean;
  launchUrl: string | null;
  callbackUrls: string[];
  logoutCallbackUrls: string[];
  /** Ours (OIDC Back-Channel Logout 1.0); Pocket ID has none. */
  backchannelLogoutUri: string | null;
  /** File extension of the light / dark logo in the FileStore; null when none. */
  logoType: string | null;
  darkLogoType: string | null;
  accessTokenLifetimeMinutes: number | null;
  refreshTokenLifetimeMinutes: number | null;
  /** Ours; null means the protocol default (one hour, as fosite's). */
  idTokenLifetimeMinutes: number | null;
  isGroupRestricted: boolean;
  clientType: 'standard' | 'cimd';
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type OidcClientFields = Omit<
  OidcClient,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'createdById'
  | 'pkceSupported'
  | 'logoType'
  | 'darkLogoType'
  | 'clientType'
>;

export type NewOidcClient = OidcClientFields & { id: string; createdById: string | null };

/** A full replacement of the editable fields; `pkceSupported` is cleared when PKCE is turned off. */
export type OidcClientPatch = OidcClientFields & { pkceSupported?: boolean };

/** One client secret. Only its hash is stored (pocket-id-api.md §9). */
export interface OidcClientSecret {
  id: string;
  clientId: string;
  /** SHA-256 hex for `sha256`; a bcrypt hash for secrets imported from Pocket ID v1. */
  hash: string;
  alg: 'sha256' | 'bcrypt';
  /** The secret's first 4 characters; null for imported secrets. */
  prefix: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

export type NewOidcClientSecret = Omit<OidcClientSecret, 'createdAt'>;

export const DEFAULT_ACCESS_TOKEN_MINUTES = 60;
export const DEFAULT_REFRESH_TOKEN_MINUTES = 43_200;
export const MAX_CLIENT_SECRETS = 20;
