import type { ListQuery } from '../http/pagination.js';
import type { NewUserGroup, UserGroup, UserGroupPatch } from './user-group.js';

/** What a group list is narrowed and ordered by: `search` on the name, sort by a whitelisted column. */
export type UserGroupListCriteria = Pick<ListQuery, 'search' | 'sort'>;

export interface UserGroupRepository {
  findById(id: string): Promise<UserGroup | null>;
  count(criteria: UserGroupListCriteria): Promise<number>;
  /** One page, in `criteria.sort` order (`userCount` sorts by the number of members); `createdAt` otherwise. */
  list(criteria: UserGroupListCriteria, offset: number, limit: number): Promise<UserGroup[]>;
  /** Member counts of the given groups; groups without members are absent from the map. */
  memberCounts(groupIds: string[]): Promise<Map<string, number>>;
  /** Throws UniqueViolationError('name') when the name is taken. */
  insert(group: NewUserGroup): Promise<UserGroup>;
  /** Throws UniqueViolationError('name'); null when the group does not exist. */
  update(id: string, patch: UserGroupPatch): Promise<UserGroup | null>;
  /** Memberships and the group's custom claims go with it. */
  delete(id: string): Promise<boolean>;
  /** The ids of the group's members. */
  memberIds(groupId: string): Promise<string[]>;
  /** The groups of each user, ordered by name; users without groups are absent from the map. */
  groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>>;
  /** Replaces the group's members; ids of users that do not exist are ignored. */
  setMembers(groupId: string, userIds: string[]): Promise<void>;
  /** Replaces the user's groups; ids of groups that do not exist are ignored. */
  setGroupsOfUser(userId: string, groupIds: string[]): Promise<void>;
}
