import { describe, expect, it } from 'vitest';
import type { OidcClient } from '../../../clients/oidc-client.js';
import type { UserGroup } from '../../../groups/user-group.js';
import type { User } from '../../../users/user.js';
import { checkUserAllowed } from './user-allowed.check.js';

const aUser = (id: string, disabled = false) => ({ id, disabled }) as User;
const group = (id: string) => ({ id }) as UserGroup;
const deps = {
  users: { findById: async (id: string) => ({ ann: aUser('ann'), off: aUser('off', true) })[id] ?? null },
  groups: {
    groupsOfUsers: async (ids: string[]) =>
      new Map(ids.map((id) => [id, id === 'ann' ? [group('staff')] : []])),
  },
  clients: {
    allowedGroupsOf: async (ids: string[]) =>
      new Map(ids.filter((id) => id === 'staff-only').map((id) => [id, [group('staff')]])),
  },
};
const client = (id: string, isGroupRestricted: boolean) => ({ id, isGroupRestricted }) as OidcClient;
const refused = expect.objectContaining({ error: 'invalid_grant' });

describe('checkUserAllowed', () => {
  it('returns an enabled user of an open client, or a member of an allowed group', async () => {
    expect((await checkUserAllowed(deps, client('open', false), 'ann')).id).toBe('ann');
    expect((await checkUserAllowed(deps, client('staff-only', true), 'ann')).id).toBe('ann');
  });
  it('refuses unknown and disabled users, and users outside the allowed groups', async () => {
    await expect(checkUserAllowed(deps, client('open', false), 'gone')).rejects.toThrow(refused);
    await expect(checkUserAllowed(deps, client('open', false), 'off')).rejects.toThrow(refused);
    await expect(checkUserAllowed(deps, client('nobody-allowed', true), 'ann')).rejects.toThrow(refused);
  });
});
