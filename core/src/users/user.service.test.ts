import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_SETTINGS } from '../app-config/app-settings.js';
import { EventBus } from '../kernel/event-bus.js';
import { silentLogger } from '../kernel/logger.js';
import type { User, UserPatch } from './user.js';
import type { UserRepository } from './user.repository.port.js';
import { UserService } from './user.service.js';

const aUser = (overrides: Partial<User> = {}): User => ({
  id: 'u1',
  username: 'ada',
  email: 'ada@example.com',
  emailVerified: true,
  firstName: 'Ada',
  lastName: null,
  displayName: 'Ada',
  isAdmin: false,
  locale: null,
  disabled: false,
  ldapId: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...overrides,
});

function serviceWith(allowOwnAccountEdit: boolean) {
  const patches: UserPatch[] = [];
  const user = aUser();
  const users = {
    async update(_id: string, patch: UserPatch) {
      patches.push(patch);
      return { ...user, ...patch };
    },
  } as unknown as UserRepository;
  const service = new UserService({
    users,
    groups: { setGroupsOfUser: async () => {} },
    sessions: { revokeAllForUser: async () => 0 },
    settings: { get: async () => ({ ...DEFAULT_APP_SETTINGS, allowOwnAccountEdit }) },
    events: new EventBus(silentLogger),
    database: { transaction: (fn) => fn() },
  });
  return { service, patches, user };
}

describe('UserService.updateOwn', () => {
  it('changes only the locale while allowOwnAccountEdit is off', async () => {
    const { service, patches, user } = serviceWith(false);
    const updated = await service.updateOwn(user, {
      username: 'someone-else',
      email: null,
      firstName: 'Eve',
      locale: 'de-CH',
      isAdmin: true,
    });
    expect(patches).toEqual([{ locale: 'de-CH' }]);
    expect(updated).toMatchObject({ username: 'ada', firstName: 'Ada', locale: 'de-CH', isAdmin: false });
  });

  it('edits the profile but never the flags while it is on', async () => {
    const { service, patches, user } = serviceWith(true);
    await service.updateOwn(user, {
      username: 'ada',
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'King',
      isAdmin: true,
      disabled: true,
      emailVerified: false,
    });
    expect(patches).toEqual([
      {
        username: 'ada',
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'King',
        displayName: 'Ada King',
        locale: null,
      },
    ]);
  });
});
