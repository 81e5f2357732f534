import type { User } from './user.js';

/** Pocket ID's UserDto (pocket-id-api.md §3). Groups and custom claims arrive with their features. */
export interface UserDto {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string;
  lastName: string | null;
  displayName: string;
  isAdmin: boolean;
  locale: string | null;
  customClaims: { key: string; value: string }[];
  userGroups: unknown[];
  ldapId: string | null;
  disabled: boolean;
}

/** The user's own claims and groups (UserGroupMinimalDto), filled by `AccountViews`; empty without them. */
export function toUserDto(
  user: User,
  related: Pick<Partial<UserDto>, 'customClaims' | 'userGroups'> = {},
): UserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    locale: user.locale,
    customClaims: related.customClaims ?? [],
    userGroups: related.userGroups ?? [],
    ldapId: user.ldapId,
    disabled: user.disabled,
  };
}
