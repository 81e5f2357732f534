import { randomInt, randomUUID } from 'node:crypto';
import type { AppSettingsProvider } from '../app-config/app-settings.js';
import type { CustomClaimRepository } from '../claims/custom-claim.repository.port.js';
import { ProblemError, problems } from '../errors/problem.errors.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import type { ClientInfo, EventBus } from '../kernel/event-bus.js';
import type { Database } from '../storage/database.port.js';
import { hashToken } from '../sessions/session.service.js';
import type { User } from '../users/user.js';
import { alreadyInUse } from '../users/user.errors.js';
import { UniqueViolationError, type UserRepository } from '../users/user.repository.port.js';
import type { SignUpBody } from '../users/user.schema.js';
import type { SignupToken } from './signup-token.js';
import type { SignupTokenRepository } from './signup-token.repository.port.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const DEFAULT_SIGNUP_TOKEN_TTL_MS = 3_600_000;

/** pocket-id-api.md §9: a signup token is 16 `[A-Za-z0-9]`. */
export function generateSignupToken(): string {
  let token = '';
  for (let i = 0; i < 16; i++) token += ALNUM[randomInt(ALNUM.length)];
  return token;
}

export const signupProblems = {
  openSignupDisabled: () =>
    new ProblemError({
      status: 403,
      code: 'open_signup_disabled',
      detail: 'Open user signup is not enabled',
    }),
  tokenInvalid: () =>
    new ProblemError({
      status: 401,
      code: 'token_invalid_or_expired',
      detail: 'Token is invalid or expired',
    }),
};

/**
 * Self-service signup (pocket-id-api.md §4.1) and the admin's signup tokens.
 *
 * Departures from Pocket ID, on purpose:
 * - A signup token is stored as its SHA-256 only, so it is shown once, when created; token lists answer
 *   `token: null` (Pocket ID stores and lists it in clear).
 * - The `ACCOUNT_CREATED` audit entry's `signupToken` holds the token's id, not the token, so the audit
 *   log does not hand out a token that may still have uses left.
 *
 * The use of a token, the user, their groups and their claims are written in one transaction: if the
 * user cannot be created (409 `already_in_use`), the rollback gives the use back.
 */
export class SignupService {
  constructor(
    private readonly deps: {
      tokens: SignupTokenRepository;
      users: Pick<UserRepository, 'insert'>;
      groups: Pick<UserGroupRepository, 'setGroupsOfUser'>;
      claims: Pick<CustomClaimRepository, 'replace'>;
      settings: AppSettingsProvider;
      events: EventBus;
      database: Pick<Database, 'transaction'>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async createToken(input: {
    ttlMs?: number;
    usageLimit: number;
    userGroupIds: string[];
  }): Promise<{ token: SignupToken; secret: string }> {
    const secret = generateSignupToken();
    const token = await this.deps.tokens.insert({
      id: randomUUID(),
      tokenHash: hashToken(secret),
      expiresAt: new Date(this.now().getTime() + (input.ttlMs ?? DEFAULT_SIGNUP_TOKEN_TTL_MS)),
      usageLimit: input.usageLimit,
      userGroupIds: [...new Set(input.userGroupIds)],
    });
    return { token, secret };
  }

  async signUp(body: SignUpBody, client: ClientInfo): Promise<User> {
    const settings = await this.deps.settings.get();
    const secret = body.token?.trim() || undefined;
    // A valid token works whatever the setting says; without one, only open signup lets people in.
    if (!secret && settings.allowUserSignups !== 'open') throw signupProblems.openSignupDisabled();

    const username = body.username.normalize('NFC');
    const email = body.email?.trim().normalize('NFC') || null;
    if (settings.requireUserEmail && !email) {
      throw problems.validationFailed([{ field: 'email', code: 'required', message: 'is required' }]);
    }
    const firstName = (body.firstName ?? '').trim().normalize('NFC');
    const lastName = body.lastName?.trim().normalize('NFC') || null;

    let tokenId: string | undefined;
    let user: User;
    try {
      user = await this.deps.database.transaction(async () => {
        let groupIds = settings.signupDefaultUserGroupIDs;
        if (secret) {
          const token = await this.deps.tokens.use(hashToken(secret), this.now());
          if (!token) throw signupProblems.tokenInvalid();
          tokenId = token.id;
          if (token.userGroupIds.length > 0) groupIds = token.userGroupIds;
        }
        const created = await this.deps.users.insert({
          id: randomUUID(),
          username,
          email,
          emailVerified: settings.emailsVerified,
          firstName,
          lastName,
          displayName: [firstName, lastName].filter(Boolean).join(' ') || username,
          isAdmin: false,
          locale: null,
          disabled: false,
        });
        if (groupIds.length > 0) await this.deps.groups.setGroupsOfUser(created.id, [...new Set(groupIds)]);
        const claims = settings.signupDefaultCustomClaims.map((c) => ({
          key: c.key.normalize('NFC'),
          value: c.value.normalize('NFC'),
        }));
        if (claims.length > 0) await this.deps.claims.replace({ userId: created.id }, claims);
        return created;
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw alreadyInUse(error);
      throw error;
    }
    await this.deps.events.emit('user.created', {
      userId: user.id,
      via: 'signup',
      ...(tokenId ? { signupToken: tokenId } : {}),
      client,
    });
    return user;
  }
}
