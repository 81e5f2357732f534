import type { OidcClient } from '../../clients/oidc-client.js';
import { newContext, type AuthorizationContext, type CheckDeps } from './authorization-request.js';

/** A confidential client without PKCE, consent or group restriction; override what a test needs. */
export function aClient(overrides: Partial<OidcClient> = {}): OidcClient {
  return {
    id: 'rp',
    name: 'RP',
    description: null,
    isPublic: false,
    pkceEnabled: false,
    pkceSupported: false,
    requiresReauthentication: false,
    requiresPushedAuthorizationRequests: false,
    skipConsent: false,
    launchUrl: null,
    callbackUrls: ['https://rp.example.com/cb'],
    logoutCallbackUrls: [],
    backchannelLogoutUri: null,
    logoType: null,
    darkLogoType: null,
    accessTokenLifetimeMinutes: null,
    refreshTokenLifetimeMinutes: null,
    idTokenLifetimeMinutes: null,
    isGroupRestricted: false,
    clientType: 'standard',
    createdById: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

/** A context as the pipeline has it after the client and redirect URI checks. */
export function aContext(params: Record<string, string>, client = aClient()): AuthorizationContext {
  return { ...newContext(params, 'authorize'), client, redirectUri: client.callbackUrls[0] };
}

/** Check dependencies that know nothing; override what a test needs. */
export function noDeps(overrides: Partial<CheckDeps> = {}): CheckDeps {
  return {
    findClient: async () => null,
    takePushedRequest: async () => null,
    verifyIdTokenHint: async () => null,
    now: () => new Date(),
    ...overrides,
  };
}
