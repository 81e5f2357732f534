import type { CustomClaim } from '../../claims/custom-claim.js';
import type { CustomClaimRepository } from '../../claims/custom-claim.repository.port.js';
import type { UserGroup } from '../../groups/user-group.js';
import type { User } from '../../users/user.js';

/** The scopes this provider understands, and the claims they release (pocket-id-inventory.md §3). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'groups'] as const;

export const SUPPORTED_CLAIMS = [
  'sub',
  'given_name',
  'family_name',
  'name',
  'display_name',
  'email',
  'email_verified',
  'preferred_username',
  'picture',
  'groups',
  'auth_time',
  'amr',
] as const;

export interface ScopeClaimsDeps {
  groups: { groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>> };
  customClaims: Pick<CustomClaimRepository, 'listMany'>;
}

/** Pocket ID emits a custom claim value that parses as JSON as that JSON, otherwise as the string. */
function claimValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Claims of the `email` and `groups` scopes; every other releasable claim comes with `profile`. */
const EMAIL_CLAIMS: ReadonlySet<string> = new Set(['email', 'email_verified']);
const GROUPS_CLAIM = 'groups';
/** Claims that are never looked up among the user's data: `sub` is always there, the rest are the ID token's own. */
const NOT_USER_DATA: ReadonlySet<string> = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'sid',
]);

/**
 * The claims a user releases for a set of scopes: always `sub`; `profile` adds the name claims, the
 * picture and every custom claim (a user's own override its groups'); `email` adds email and
 * email_verified when the user has an email; `groups` adds the group names. ID tokens and userinfo use
 * the same set, as Pocket ID does.
 *
 * `requested` (OIDC Core §5.5, the `claims` parameter) names single claims to release without their
 * scope: each one the user has is added, whatever scope would carry it (a custom claim counts as a
 * `profile` claim); names we do not know, or the user lacks, are left out without an error.
 */
export class ScopeClaimsService {
  constructor(private readonly deps: ScopeClaimsDeps) {}

  async claimsFor(
    user: User,
    scopes: readonly string[],
    issuer: string,
    requested: readonly string[] = [],
  ): Promise<Record<string, unknown>> {
    const claims: Record<string, unknown> = { sub: user.id };
    const extra = requested.filter((name) => !NOT_USER_DATA.has(name));
    const wantsProfile = scopes.includes('profile');
    const wantsEmail = scopes.includes('email');
    const wantsGroups = scopes.includes('groups');
    const pickProfile = !wantsProfile && extra.some((n) => !EMAIL_CLAIMS.has(n) && n !== GROUPS_CLAIM);
    const pickEmail = !wantsEmail && extra.some((n) => EMAIL_CLAIMS.has(n));
    const pickGroups = !wantsGroups && extra.includes(GROUPS_CLAIM);
    const needGroups = wantsProfile || wantsGroups || pickProfile || pickGroups;
    const groups = needGroups ? ((await this.deps.groups.groupsOfUsers([user.id])).get(user.id) ?? []) : [];
    /** Copies the requested claims of a section the scopes do not release whole. */
    const pick = (section: Record<string, unknown>) => {
      for (const name of extra) if (name in section) claims[name] = section[name];
    };
    if (wantsProfile) Object.assign(claims, await this.profileClaims(user, groups, issuer));
    else if (pickProfile) pick(await this.profileClaims(user, groups, issuer));
    if (wantsEmail) Object.assign(claims, emailClaims(user));
    else if (pickEmail) pick(emailClaims(user));
    if (wantsGroups || pickGroups) claims.groups = groups.map((g) => g.name);
    return claims;
  }

  private async profileClaims(
    user: User,
    groups: readonly UserGroup[],
    issuer: string,
  ): Promise<Record<string, unknown>> {
    const name = [user.firstName, user.lastName].filter((p) => p).join(' ');
    const claims: Record<string, unknown> = {
      given_name: user.firstName,
      family_name: user.lastName ?? '',
      name,
      display_name: user.displayName,
      preferred_username: user.username,
      picture: `${issuer}/api/users/${user.id}/profile-picture.png`,
    };
    const custom = await this.deps.customClaims.listMany({
      userIds: [user.id],
      groupIds: groups.map((g) => g.id),
    });
    const merged = new Map<string, string>();
    const put = (list: CustomClaim[] | undefined) => list?.forEach((c) => merged.set(c.key, c.value));
    for (const group of groups) put(custom.groups.get(group.id));
    put(custom.users.get(user.id));
    // Reserved keys cannot be stored (reserved-key.check.ts), so a custom claim never shadows `sub`.
    for (const [key, value] of merged) claims[key] = claimValue(value);
    return claims;
  }
}

/** The `email` scope's claims, when the user has an email. */
function emailClaims(user: User): Record<string, unknown> {
  return user.email ? { email: user.email, email_verified: user.emailVerified } : {};
}
