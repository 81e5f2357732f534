/**
 * Every key of Pocket ID v2.14's application configuration (pocket-id-api.md §4.9), with its default,
 * whether the public endpoint shows it, whether it is a secret, and its rule. Values travel as strings,
 * as in Pocket ID: booleans `"true"`/`"false"`, numbers as digits, arrays as JSON text.
 */
export type SettingRule =
  | { kind: 'text'; min?: number; max?: number; email?: boolean }
  | { kind: 'bool' }
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'stringArray' }
  | { kind: 'claimArray' };

export interface SettingDef {
  key: string;
  default: string;
  rule: SettingRule;
  /** Shown by the public `GET /api/application-configuration` (★ in Pocket ID's table). */
  isPublic?: boolean;
  /** Never shown when set from the environment (Pocket ID reads `XXXXXXXXXX`). */
  sensitive?: boolean;
  /** Required: an empty value is refused rather than replaced by the default. */
  required?: boolean;
}

const text = (key: string, def = '', extra: Partial<SettingDef> = {}): SettingDef => ({
  key,
  default: def,
  rule: { kind: 'text' },
  ...extra,
});
const bool = (key: string, def: boolean, isPublic = false): SettingDef => ({
  key,
  default: String(def),
  rule: { kind: 'bool' },
  isPublic,
  required: true,
});

export const APP_SETTINGS: readonly SettingDef[] = [
  {
    key: 'appName',
    default: 'Latchkey',
    rule: { kind: 'text', min: 1, max: 30 },
    isPublic: true,
    required: true,
  },
  { key: 'sessionDuration', default: '60', rule: { kind: 'int', min: 1, max: 525_600 }, required: true },
  {
    key: 'homePageUrl',
    default: '/settings/account',
    rule: { kind: 'text', min: 1 },
    isPublic: true,
    required: true,
  },
  text('accentColor', 'default', { isPublic: true }),
  {
    key: 'allowUserSignups',
    default: 'disabled',
    rule: { kind: 'enum', values: ['disabled', 'withToken', 'open'] },
    isPublic: true,
    required: true,
  },
  { key: 'signupDefaultUserGroupIDs', default: '[]', rule: { kind: 'stringArray' } },
  { key: 'signupDefaultCustomClaims', default: '[]', rule: { kind: 'claimArray' } },
  bool('emailsVerified', false),
  bool('disableAnimations', false, true),
  bool('allowOwnAccountEdit', true, true),
  bool('requireUserEmail', true, true),
  // Email (the SMTP plugin uses these)
  text('smtpHost'),
  text('smtpPort'),
  { key: 'smtpFrom', default: '', rule: { kind: 'text', email: true } },
  text('smtpUser'),
  text('smtpPassword', '', { sensitive: true }),
  {
    key: 'smtpTls',
    default: 'none',
    rule: { kind: 'enum', values: ['none', 'starttls', 'tls'] },
    required: true,
  },
  bool('smtpSkipCertVerify', false),
  bool('emailLoginNotificationEnabled', false),
  bool('emailOneTimeAccessAsUnauthenticatedEnabled', false, true),
  bool('emailOneTimeAccessAsAdminEnabled', false, true),
  bool('emailApiKeyExpirationEnabled', false),
  bool('emailVerificationEnabled', false, true),
  // LDAP (the LDAP sync plugin uses these)
  bool('ldapEnabled', false, true),
  text('ldapUrl'),
  text('ldapBindDn'),
  text('ldapBindPassword', '', { sensitive: true }),
  text('ldapBase'),
  text('ldapUserSearchFilter', '(objectClass=person)'),
  text('ldapUserGroupSearchFilter', '(objectClass=groupOfNames)'),
  bool('ldapSkipCertVerify', false),
  text('ldapAttributeUserUniqueIdentifier'),
  text('ldapAttributeUserUsername'),
  text('ldapAttributeUserEmail'),
  text('ldapAttributeUserFirstName'),
  text('ldapAttributeUserLastName'),
  text('ldapAttributeUserDisplayName', 'cn'),
  text('ldapAttributeUserProfilePicture'),
  text('ldapAttributeGroupMember', 'member'),
  text('ldapAttributeGroupUniqueIdentifier'),
  text('ldapAttributeGroupName'),
  text('ldapAdminGroupName'),
  bool('ldapSoftDeleteUsers', true),
  // Passkeys
  {
    key: 'webauthnUserVerification',
    default: 'required',
    rule: { kind: 'enum', values: ['required', 'preferred'] },
    required: true,
  },
  bool('webauthnAllowSyncedPasskeys', true),
  {
    key: 'webauthnAuthenticatorAttachment',
    default: 'any',
    rule: { kind: 'enum', values: ['any', 'platform', 'cross-platform'] },
    required: true,
  },
  // OIDC
  { key: 'cimdUrlAllowlist', default: '[]', rule: { kind: 'stringArray' } },
];

/** `signupDefaultUserGroupIDs` → `SIGNUP_DEFAULT_USER_GROUP_IDS`, as Pocket ID names them. */
export function envNameOf(key: string): string {
  return key
    .replace(/IDs$/, 'Ids')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

/** Checks one value against its rule; returns an error message, or null when it is valid. */
export function checkSetting(def: SettingDef, value: string): string | null {
  const rule = def.rule;
  switch (rule.kind) {
    case 'bool':
      return value === 'true' || value === 'false' ? null : 'must be "true" or "false"';
    case 'int': {
      if (!/^\d+$/.test(value)) return 'must be a whole number';
      const n = Number(value);
      if (rule.min !== undefined && n < rule.min) return `must be at least ${rule.min}`;
      if (rule.max !== undefined && n > rule.max) return `must be at most ${rule.max}`;
      return null;
    }
    case 'enum':
      return rule.values.includes(value) ? null : `must be one of ${rule.values.join(', ')}`;
    case 'text':
      if (rule.min !== undefined && [...value].length < rule.min)
        return `must be at least ${rule.min} characters`;
      if (rule.max !== undefined && [...value].length > rule.max)
        return `must be at most ${rule.max} characters`;
      if (rule.email && value !== '' && !/^[^\s@]+@[^\s@]+$/.test(value)) return 'must be an email address';
      return null;
    case 'stringArray':
    case 'claimArray': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return 'must be a JSON array';
      }
      if (!Array.isArray(parsed)) return 'must be a JSON array';
      const ok =
        rule.kind === 'stringArray'
          ? parsed.every((v) => typeof v === 'string')
          : parsed.every(
              (v) =>
                v &&
                typeof v === 'object' &&
                typeof (v as { key?: unknown }).key === 'string' &&
                typeof (v as { value?: unknown }).value === 'string',
            );
      return ok
        ? null
        : rule.kind === 'stringArray'
          ? 'must be a JSON array of strings'
          : 'must be a JSON array of {key, value} strings';
    }
  }
}
