import { APP_SETTINGS } from './app-config.schema.js';

/**
 * The application settings as features read them: a typed view over the stored string values (see
 * app-config.schema.ts for every key, its default and its rule).
 */
export interface AppSettings {
  appName: string;
  /** Minutes a sign-in lasts. */
  sessionDuration: number;
  homePageUrl: string;
  accentColor: string;
  allowUserSignups: 'disabled' | 'withToken' | 'open';
  signupDefaultUserGroupIDs: string[];
  signupDefaultCustomClaims: { key: string; value: string }[];
  emailsVerified: boolean;
  requireUserEmail: boolean;
  allowOwnAccountEdit: boolean;
  disableAnimations: boolean;
  webauthnUserVerification: 'required' | 'preferred';
  webauthnAllowSyncedPasskeys: boolean;
  webauthnAuthenticatorAttachment: 'any' | 'platform' | 'cross-platform';
  /** Every setting as stored, for plugins (email, LDAP) that read their own keys. */
  raw: Readonly<Record<string, string>>;
}

export interface AppSettingsProvider {
  get(): Promise<AppSettings>;
}

export function defaultValues(): Record<string, string> {
  return Object.fromEntries(APP_SETTINGS.map((d) => [d.key, d.default]));
}

/** Reads the typed view from validated string values (unknown or missing keys take their defaults). */
export function toAppSettings(values: Readonly<Record<string, string>>): AppSettings {
  const v = { ...defaultValues(), ...values };
  const bool = (k: string) => v[k] === 'true';
  return {
    appName: v.appName!,
    sessionDuration: Number(v.sessionDuration),
    homePageUrl: v.homePageUrl!,
    accentColor: v.accentColor!,
    allowUserSignups: v.allowUserSignups as AppSettings['allowUserSignups'],
    signupDefaultUserGroupIDs: JSON.parse(v.signupDefaultUserGroupIDs!) as string[],
    signupDefaultCustomClaims: JSON.parse(
      v.signupDefaultCustomClaims!,
    ) as AppSettings['signupDefaultCustomClaims'],
    emailsVerified: bool('emailsVerified'),
    requireUserEmail: bool('requireUserEmail'),
    allowOwnAccountEdit: bool('allowOwnAccountEdit'),
    disableAnimations: bool('disableAnimations'),
    webauthnUserVerification: v.webauthnUserVerification as AppSettings['webauthnUserVerification'],
    webauthnAllowSyncedPasskeys: bool('webauthnAllowSyncedPasskeys'),
    webauthnAuthenticatorAttachment:
      v.webauthnAuthenticatorAttachment as AppSettings['webauthnAuthenticatorAttachment'],
    raw: Object.freeze(v),
  };
}

export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze(toAppSettings({}));

/** Pocket ID's defaults, never stored: for tests and tools that run without a database. */
export const defaultAppSettings: AppSettingsProvider = { get: async () => toAppSettings({}) };
