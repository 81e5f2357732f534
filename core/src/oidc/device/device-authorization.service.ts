import { randomBytes, randomInt } from 'node:crypto';
import type { OidcClient } from '../../clients/oidc-client.js';
import { ProblemError } from '../../errors/problem.errors.js';
import type { UserGroup } from '../../groups/user-group.js';
import type { ClientInfo, EventBus } from '../../kernel/event-bus.js';
import type { Session } from '../../sessions/session.js';
import { hashToken } from '../../sessions/session.service.js';
import type { User } from '../../users/user.js';
import type { ConsentRepository } from '../authorization/authorization-code.js';
import type { DeviceCode, DeviceCodeRepository } from './device-code.js';

/** Pocket ID's values (pocket-id-api.md §4.13): 15 minutes, polls every 5 seconds. */
export const DEVICE_CODE_TTL_SECONDS = 15 * 60;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/** No I, L, O: a person reads the code off a screen and types it. */
const USER_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ0123456789';
/** A normalized user code: `E` and seven of the alphabet (ours), with room for imported ones. */
const USER_CODE_SHAPE = /^[A-Z0-9]{1,32}$/;

/** What a person types, made comparable: trimmed, upper case, separators dropped, I→1, O→0 (Pocket ID). */
export function normalizeUserCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, '').replace(/I/g, '1').replace(/O/g, '0');
}

export const deviceProblems = {
  invalid: () =>
    new ProblemError({
      status: 400,
      code: 'oidc_invalid_device_code',
      detail: 'This code is not valid, or it was already used',
    }),
  expired: () =>
    new ProblemError({
      status: 400,
      code: 'oidc_device_code_expired',
      detail: 'This code has expired; start again on the device',
    }),
  accessDenied: () =>
    new ProblemError({
      status: 403,
      code: 'oidc_access_denied',
      detail: 'You are not allowed to use this application',
    }),
  reauthenticationRequired: () =>
    new ProblemError({
      status: 401,
      code: 'reauthentication_required',
      detail: 'Sign in with your passkey again',
    }),
};

export interface DeviceAuthorizationDeps {
  codes: DeviceCodeRepository;
  consents: Pick<ConsentRepository, 'find' | 'grant'>;
  clients: {
    findById(id: string): Promise<OidcClient | null>;
    allowedGroupsOf(clientIds: string[]): Promise<Map<string, UserGroup[]>>;
  };
  groups: { groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>> };
  events?: Pick<EventBus, 'emit'>;
  now?: () => Date;
}

/** The browser side of a pending device code: what the `/device` page shows before approval. */
export interface DeviceCodeInfo {
  code: DeviceCode;
  client: OidcClient;
  scopes: string[];
  /** No remembered consent covers these scopes (and the client does not skip consent). */
  authorizationRequired: boolean;
  reauthenticationRequired: boolean;
}

/**
 * RFC 8628 device authorization: the device asks for a code pair, a signed-in person approves (or
 * denies) the user code in a browser, and the device polls the token endpoint (`device-code.grant.ts`).
 * Approval applies what `/authorize` applies: allowed groups, consent (remembered and merged, audited as
 * `DEVICE_CODE_AUTHORIZATION`), and a fresh passkey check for clients that require re-authentication.
 */
export class DeviceAuthorizationService {
  constructor(private readonly deps: DeviceAuthorizationDeps) {}

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async start(
    client: OidcClient,
    scopes: string[],
  ): Promise<{ deviceCode: string; userCode: string; expiresIn: number; interval: number }> {
    const deviceCode = randomBytes(32).toString('base64url');
    const now = this.now();
    // A clash of two live user codes (33^7 of them) is rare; a few tries make it vanishingly so.
    for (let attempt = 0; attempt < 5; attempt++) {
      let userCode = 'E';
      for (let i = 0; i < 7; i++) userCode += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
      const stored = await this.deps.codes.insert({
        deviceCodeHash: hashToken(deviceCode),
        userCode,
        clientId: client.id,
        scope: scopes.join(' '),
        pollInterval: DEVICE_POLL_INTERVAL_SECONDS,
        createdAt: now,
        expiresAt: new Date(now.getTime() + DEVICE_CODE_TTL_SECONDS * 1000),
      });
      if (stored) {
        return {
          deviceCode,
          userCode,
          expiresIn: DEVICE_CODE_TTL_SECONDS,
          interval: DEVICE_POLL_INTERVAL_SECONDS,
        };
      }
    }
    throw new Error('Could not find a free device user code in 5 tries');
  }

  /** The pending code a person typed, checked against who they are. */
  async info(input: string, user: User): Promise<DeviceCodeInfo> {
    const typed = normalizeUserCode(input);
    // Only what a user code can be reaches storage (U+0000, say, would fail PostgreSQL's lookup).
    if (!USER_CODE_SHAPE.test(typed)) throw deviceProblems.invalid();
    const code = await this.deps.codes.findByUserCode(typed);
    if (!code || code.status !== 'pending') throw deviceProblems.invalid();
    if (code.expiresAt <= this.now()) throw deviceProblems.expired();
    const client = await this.deps.clients.findById(code.clientId);
    if (!client) throw deviceProblems.invalid();
    await this.checkGroups(client, user);
    const scopes = code.scope.split(' ').filter(Boolean);
    const consent = await this.deps.consents.find(user.id, client.id);
    const covered = consent !== null && scopes.every((s) => consent.scopes.includes(s));
    return {
      code,
      client,
      scopes,
      authorizationRequired: !client.skipConsent && !covered,
      reauthenticationRequired: client.requiresReauthentication,
    };
  }

  /**
   * Approves the code for the signed-in person. `reauthenticated` is whether they just presented
   * their passkey again (the caller spends the re-authentication cookie).
   */
  async approve(
    input: string,
    signedIn: { user: User; session: Session },
    options: { reauthenticated: () => Promise<boolean>; client: ClientInfo },
  ): Promise<void> {
    const { user, session } = signedIn;
    const found = await this.info(input, user);
    let authTime = session.authTime;
    if (found.reauthenticationRequired) {
      if (!(await options.reauthenticated())) throw deviceProblems.reauthenticationRequired();
      authTime = this.now();
    }
    const decided = await this.deps.codes.decide(
      found.code.userCode,
      { status: 'approved', userId: user.id, sessionId: session.id, authTime, amr: session.amr },
      this.now(),
    );
    if (!decided) throw deviceProblems.invalid();
    const before = await this.deps.consents.find(user.id, found.client.id);
    await this.deps.consents.grant(user.id, found.client.id, found.scopes, this.now());
    await this.deps.events?.emit('client.authorized', {
      userId: user.id,
      clientId: found.client.id,
      clientName: found.client.name,
      firstTime: before === null || found.scopes.some((s) => !before.scopes.includes(s)),
      via: 'device',
      client: options.client,
    });
  }

  /** Denies the code (beyond Pocket ID, which has no denial): the device's next poll gets `access_denied`. */
  async deny(input: string, user: User): Promise<void> {
    const found = await this.info(input, user);
    if (!(await this.deps.codes.decide(found.code.userCode, { status: 'denied' }, this.now()))) {
      throw deviceProblems.invalid();
    }
  }

  private async checkGroups(client: OidcClient, user: User): Promise<void> {
    if (!client.isGroupRestricted) return;
    const allowed = new Set(
      (await this.deps.clients.allowedGroupsOf([client.id])).get(client.id)?.map((g) => g.id),
    );
    const mine = (await this.deps.groups.groupsOfUsers([user.id])).get(user.id) ?? [];
    if (!mine.some((g) => allowed.has(g.id))) throw deviceProblems.accessDenied();
  }
}
