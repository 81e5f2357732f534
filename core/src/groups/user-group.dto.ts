import type { CustomClaim } from '../claims/custom-claim.js';
import type { UserDto } from '../users/user.dto.js';
import type { UserGroup } from './user-group.js';

/** Pocket ID's UserGroupMinimalDto (pocket-id-api.md §3); `userCount` is filled only in the group list. */
export interface UserGroupMinimalDto {
  id: string;
  friendlyName: string;
  name: string;
  customClaims: CustomClaim[];
  userCount: number;
  ldapId: string | null;
  createdAt: string;
}

/** Pocket ID's UserGroupDto. `allowedOidcClients` stays empty until the OIDC client feature fills it. */
export interface UserGroupDto {
  id: string;
  friendlyName: string;
  name: string;
  customClaims: CustomClaim[];
  ldapId: string | null;
  createdAt: string;
  users: UserDto[];
  allowedOidcClients: unknown[];
}

export function toUserGroupMinimalDto(
  group: UserGroup,
  customClaims: CustomClaim[] = [],
  userCount = 0,
): UserGroupMinimalDto {
  return {
    id: group.id,
    friendlyName: group.friendlyName,
    name: group.name,
    customClaims,
    userCount,
    ldapId: group.ldapId,
    createdAt: group.createdAt.toISOString(),
  };
}

export function toUserGroupDto(
  group: UserGroup,
  customClaims: CustomClaim[],
  users: UserDto[],
): UserGroupDto {
  return {
    id: group.id,
    friendlyName: group.friendlyName,
    name: group.name,
    customClaims,
    ldapId: group.ldapId,
    createdAt: group.createdAt.toISOString(),
    users,
    allowedOidcClients: [],
  };
}
