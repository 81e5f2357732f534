/**
 * The body of `POST /api/oidc/clients` and `PUT /api/oidc/clients/:id` (pocket-id-api.md §4.10).
 * `logoUrl` / `darkLogoUrl` are downloaded by the server (client-logo.service.ts); an omitted, null or
 * empty one leaves the logo as it is. `credentials`, `hasLogo` and `hasDarkLogo` are accepted and
 * ignored (federated identities come with their own feature; the logo flags are read-only, as in
 * Pocket ID).
 */
const flag = { type: 'boolean' } as const;
/** Validated further by the service: 0 means the default, else 1–525600 (`token_duration`). */
const minutes = { type: 'integer' } as const;
const optionalUrl = { type: ['string', 'null'], maxLength: 2048, pattern: '^(|https?://\\S+)$' } as const;
const urlList = { type: 'array', items: { type: 'string', maxLength: 2048 }, maxItems: 100 } as const;

const clientProperties = {
  name: { type: 'string', minLength: 1, maxLength: 50 },
  description: { type: ['string', 'null'], maxLength: 150 },
  callbackURLs: urlList,
  logoutCallbackURLs: urlList,
  isPublic: flag,
  pkceEnabled: flag,
  requiresReauthentication: flag,
  requiresPushedAuthorizationRequests: flag,
  skipConsent: flag,
  launchURL: optionalUrl,
  isGroupRestricted: flag,
  accessTokenDurationMinutes: minutes,
  refreshTokenDurationMinutes: minutes,
  idTokenDurationMinutes: minutes,
  backchannelLogoutURI: optionalUrl,
  logoUrl: optionalUrl,
  darkLogoUrl: optionalUrl,
} as const;

export const oidcClientUpdateBodySchema = {
  type: 'object',
  required: ['name'],
  properties: clientProperties,
} as const;

export const oidcClientCreateBodySchema = {
  type: 'object',
  required: ['name'],
  properties: {
    ...clientProperties,
    id: { type: 'string', minLength: 2, maxLength: 128, pattern: '^[a-zA-Z0-9._-]+$' },
  },
} as const;

export interface OidcClientBody {
  name: string;
  description?: string | null;
  callbackURLs?: string[];
  logoutCallbackURLs?: string[];
  isPublic?: boolean;
  pkceEnabled?: boolean;
  requiresReauthentication?: boolean;
  requiresPushedAuthorizationRequests?: boolean;
  skipConsent?: boolean;
  launchURL?: string | null;
  isGroupRestricted?: boolean;
  accessTokenDurationMinutes?: number;
  refreshTokenDurationMinutes?: number;
  idTokenDurationMinutes?: number;
  backchannelLogoutURI?: string | null;
  logoUrl?: string | null;
  darkLogoUrl?: string | null;
}

export type OidcClientCreateBody = OidcClientBody & { id?: string };

/** `PUT /api/oidc/clients/:id/allowed-user-groups`. */
export const userGroupIdsBodySchema = {
  type: 'object',
  required: ['userGroupIds'],
  properties: { userGroupIds: { type: 'array', items: { type: 'string' } } },
} as const;

/** `POST /api/oidc/clients/:id/secrets`; the body may also be empty (pocket-id-api.md §1.1). */
export const createSecretBodySchema = {
  type: 'object',
  properties: {
    // Go's `printascii`: 0x20–0x7E.
    secret: { type: 'string', minLength: 16, maxLength: 256, pattern: '^[\\x20-\\x7E]+$' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export interface CreateSecretBody {
  secret?: string;
  expiresAt?: string | null;
}
