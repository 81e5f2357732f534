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

/**
 * The claims a user releases for a set of scopes: always `sub`; `profile` adds the name claims, the
 * picture and every custom claim (a user's own override its groups'); `email` adds email and
 * email_verified when the user has an email; `groups` adds the group names. ID tokens and userinfo use
 * the same set, as Pocket ID does.
 */
export class ScopeClaimsService {
  constructor(private readonly deps: ScopeClaimsDeps) {}

  async claimsFor(user: User, scopes: readonly string[], issuer: string): Promise<Record<string, unknown>> {
    const claims: Record<string, unknown> = { sub: user.id };
    const wantsProfile = scopes.includes('profile');
    const wantsGroups = scopes.includes('groups');
    const groups =
      wantsProfile || wantsGroups
        ? ((await this.deps.groups.groupsOfUsers([user.id])).get(user.id) ?? [])
        : [];
    if (wantsProfile) {
      const name = [user.firstName, user.lastName].filter((p) => p).join(' ');
      claims.given_name = user.firstName;
      claims.family_name = user.lastName ?? '';
      claims.name = name;
      claims.display_name = user.displayName;
      claims.preferred_username = user.username;
      claims.picture = `${issuer}/api/users/${user.id}/profile-picture.png`;
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
    }
    if (scopes.includes('email') && user.email) {
      claims.email = user.email;
      claims.email_verified = user.emailVerified;
    }
    if (wantsGroups) claims.groups = groups.map((g) => g.name);
    return claims;
  }
}
