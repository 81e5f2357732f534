import { describe, expect, it } from 'vitest';
import type { User } from '../../users/user.js';
import { ScopeClaimsService } from './scope-claims.service.js';

const user = {
  id: 'u-1',
  username: 'grace',
  firstName: 'Grace',
  lastName: 'Hopper',
  displayName: 'Grace Hopper',
  email: 'grace@example.com',
  emailVerified: true,
  disabled: false,
} as User;
const staff = { id: 'g-1', name: 'staff' };

const service = new ScopeClaimsService({
  groups: { groupsOfUsers: async () => new Map([[user.id, [staff as never]]]) },
  customClaims: {
    listMany: async () => ({
      users: new Map([[user.id, [{ key: 'team', value: 'compilers' } as never]]]),
      groups: new Map(),
    }),
  },
});
const ISSUER = 'https://id.example.com';

describe('ScopeClaimsService', () => {
  it('releases claims by scope', async () => {
    expect(await service.claimsFor(user, ['openid'], ISSUER)).toEqual({ sub: 'u-1' });
    expect(await service.claimsFor(user, ['openid', 'email', 'groups'], ISSUER)).toEqual({
      sub: 'u-1',
      email: 'grace@example.com',
      email_verified: true,
      groups: ['staff'],
    });
  });

  it('adds single requested claims without their scope, and ignores unknown ones (OIDC Core §5.5)', async () => {
    expect(
      await service.claimsFor(user, ['openid'], ISSUER, ['email', 'groups', 'team', 'given_name', 'nope']),
    ).toEqual({
      sub: 'u-1',
      email: 'grace@example.com',
      groups: ['staff'],
      team: 'compilers',
      given_name: 'Grace',
    });
    // The ID token's own claims are never looked up among the user's data.
    expect(await service.claimsFor(user, ['openid'], ISSUER, ['auth_time', 'sub', 'acr'])).toEqual({
      sub: 'u-1',
    });
  });

  it('leaves out what the user lacks', async () => {
    const noEmail = { ...user, email: null } as User;
    expect(await service.claimsFor(noEmail, ['openid'], ISSUER, ['email', 'email_verified'])).toEqual({
      sub: 'u-1',
    });
  });
});
