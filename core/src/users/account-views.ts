import type { CustomClaimRepository } from '../claims/custom-claim.repository.port.js';
import {
  toUserGroupDto,
  toUserGroupMinimalDto,
  type UserGroupDto,
  type UserGroupMinimalDto,
} from '../groups/user-group.dto.js';
import type { UserGroup } from '../groups/user-group.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import type { User } from './user.js';
import { toUserDto, type UserDto } from './user.dto.js';
import type { UserRepository } from './user.repository.port.js';

/**
 * Builds the API's user and group shapes with their related rows (groups, custom claims), loading
 * them in batches: a page of users costs three queries, not three per user.
 */
export class AccountViews {
  constructor(
    private readonly deps: {
      users: Pick<UserRepository, 'findByIds'>;
      groups: Pick<UserGroupRepository, 'groupsOfUsers' | 'memberIds'>;
      claims: Pick<CustomClaimRepository, 'listMany'>;
    },
  ) {}

  async user(user: User): Promise<UserDto> {
    return (await this.users([user]))[0]!;
  }

  async users(users: User[]): Promise<UserDto[]> {
    if (users.length === 0) return [];
    const ids = users.map((u) => u.id);
    const groupsByUser = await this.deps.groups.groupsOfUsers(ids);
    const groupIds = [...new Set([...groupsByUser.values()].flat().map((g) => g.id))];
    const claims = await this.deps.claims.listMany({ userIds: ids, groupIds });
    return users.map((u) =>
      toUserDto(u, {
        customClaims: claims.users.get(u.id) ?? [],
        userGroups: (groupsByUser.get(u.id) ?? []).map((g) =>
          toUserGroupMinimalDto(g, claims.groups.get(g.id) ?? []),
        ),
      }),
    );
  }

  async groupsMinimal(groups: UserGroup[], counts?: Map<string, number>): Promise<UserGroupMinimalDto[]> {
    if (groups.length === 0) return [];
    const claims = await this.deps.claims.listMany({ groupIds: groups.map((g) => g.id) });
    return groups.map((g) => toUserGroupMinimalDto(g, claims.groups.get(g.id) ?? [], counts?.get(g.id) ?? 0));
  }

  async group(group: UserGroup): Promise<UserGroupDto> {
    return (await this.groups([group]))[0]!;
  }

  /** Full group shapes, members included. */
  async groups(groups: UserGroup[]): Promise<UserGroupDto[]> {
    if (groups.length === 0) return [];
    const claims = await this.deps.claims.listMany({ groupIds: groups.map((g) => g.id) });
    const result: UserGroupDto[] = [];
    for (const g of groups) {
      const members = await this.deps.users.findByIds(await this.deps.groups.memberIds(g.id));
      result.push(toUserGroupDto(g, claims.groups.get(g.id) ?? [], await this.users(members)));
    }
    return result;
  }
}
