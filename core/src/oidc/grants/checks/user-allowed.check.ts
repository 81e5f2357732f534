import type { OidcClient } from '../../../clients/oidc-client.js';
import { OAuthError } from '../../../errors/oauth.errors.js';
import type { UserGroup } from '../../../groups/user-group.js';
import type { User } from '../../../users/user.js';

export interface UserAllowedDeps {
  users: { findById(id: string): Promise<User | null> };
  groups: { groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>> };
  clients: { allowedGroupsOf(clientIds: string[]): Promise<Map<string, UserGroup[]>> };
}

/**
 * Every grant that acts for a user re-checks, at each token request, that the user still exists, is
 * not disabled, and belongs to one of a group-restricted client's allowed groups (Pocket ID checks
 * the same at authorize, device approval and every token request). Returns the user.
 */
export async function checkUserAllowed(
  deps: UserAllowedDeps,
  client: OidcClient,
  userId: string,
): Promise<User> {
  const user = await deps.users.findById(userId);
  if (!user || user.disabled) throw new OAuthError('invalid_grant', 'The user is no longer active');
  if (client.isGroupRestricted) {
    const allowed = new Set(
      (await deps.clients.allowedGroupsOf([client.id])).get(client.id)?.map((g) => g.id),
    );
    const mine = (await deps.groups.groupsOfUsers([user.id])).get(user.id) ?? [];
    if (!mine.some((g) => allowed.has(g.id))) {
      throw new OAuthError('invalid_grant', 'The user is not in a group allowed to use this client');
    }
  }
  return user;
}
