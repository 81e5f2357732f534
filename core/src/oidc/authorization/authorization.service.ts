import { randomBytes, randomUUID } from 'node:crypto';
import type { OidcClient } from '../../clients/oidc-client.js';
import type { OidcClientRepository } from '../../clients/oidc-client.repository.port.js';
import type { UserGroupRepository } from '../../groups/user-group.repository.port.js';
import type { Session } from '../../sessions/session.js';
import { hashToken } from '../../sessions/session.service.js';
import type { User } from '../../users/user.js';
import type {
  AuthorizationCodeRepository,
  ConsentRepository,
  Interaction,
  InteractionRepository,
} from './authorization-code.js';
import type { AuthorizationCheck, AuthorizationContext } from './authorization-request.js';
import { checkClient } from './checks/client.check.js';
import { checkPkce } from './checks/pkce.check.js';
import { checkPrompt } from './checks/prompt.check.js';
import { checkRedirectUri } from './checks/redirect-uri.check.js';
import { checkRequestObject } from './checks/request-object.check.js';
import { checkResource } from './checks/resource.check.js';
import { checkResponseType } from './checks/response-type.check.js';
import { checkScope } from './checks/scope.check.js';

/** The authorize request's checks, in order: client and redirect URI first (RFC 6749 §4.1.2.1). */
export const AUTHORIZATION_PIPELINE: readonly AuthorizationCheck[] = [
  checkClient,
  checkRedirectUri,
  checkRequestObject,
  checkResponseType,
  checkScope,
  checkPkce,
  checkPrompt,
  checkResource,
];

const CODE_LIFETIME_MS = 15 * 60_000;
const INTERACTION_LIFETIME_MS = 60 * 60_000;

export type InteractionStep = 'authenticate' | 'consent';

export interface AuthorizationDeps {
  clients: OidcClientRepository;
  groups: UserGroupRepository;
  codes: AuthorizationCodeRepository;
  consents: ConsentRepository;
  interactions: InteractionRepository;
  now?: () => Date;
}

/**
 * The authorization code flow's use cases: validating a request, deciding which steps the person
 * still has to take, remembering an unfinished request as an interaction, and issuing the code.
 */
export class AuthorizationService {
  constructor(private readonly deps: AuthorizationDeps) {}

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Runs the pipeline over the request's parameters; throws an AuthorizeError. */
  async validate(params: Record<string, string>): Promise<AuthorizationContext> {
    const ctx: AuthorizationContext = {
      params,
      scopes: [],
      state: params.state ?? null,
      nonce: null,
      codeChallenge: null,
      codeChallengeMethod: null,
      prompt: new Set(),
      maxAge: null,
    };
    const deps = { findClient: (id: string) => this.deps.clients.findById(id) };
    for (const check of AUTHORIZATION_PIPELINE) await check(ctx, deps);
    return ctx;
  }

  /** Pocket ID's group restriction: a restricted client admits members of its allowed groups only. */
  async isAllowed(client: OidcClient, userId: string): Promise<boolean> {
    if (!client.isGroupRestricted) return true;
    const allowed = (await this.deps.clients.allowedGroupsOf([client.id])).get(client.id) ?? [];
    if (allowed.length === 0) return false;
    const mine = new Set(
      ((await this.deps.groups.groupsOfUsers([userId])).get(userId) ?? []).map((g) => g.id),
    );
    return allowed.some((g) => mine.has(g.id));
  }

  /** Is the session fresh enough for `prompt=login` (since `since`) and `max_age`? */
  isFresh(ctx: AuthorizationContext, session: Session, since: Date | null): boolean {
    if (ctx.maxAge !== null && this.now().getTime() - session.authTime.getTime() > ctx.maxAge * 1000) {
      return false;
    }
    return !(ctx.prompt.has('login') && since !== null && session.authTime < since);
  }

  /** Consent is needed unless remembered for every requested scope or skipped by the client. */
  async needsConsent(ctx: AuthorizationContext, userId: string): Promise<boolean> {
    if (ctx.prompt.has('consent')) return true;
    if (ctx.client!.skipConsent) return false;
    const consent = await this.deps.consents.find(userId, ctx.client!.id);
    const granted = new Set(consent?.scopes ?? []);
    return !ctx.scopes.every((s) => granted.has(s));
  }

  async createInteraction(
    ctx: AuthorizationContext,
    steps: InteractionStep[],
    signedIn: { user: User; session: Session } | null,
  ): Promise<Interaction> {
    const now = this.now();
    const interaction: Interaction = {
      id: randomUUID(),
      clientId: ctx.client!.id,
      userId: signedIn?.user.id ?? null,
      sessionId: signedIn?.session.id ?? null,
      parameters: ctx.params,
      scopes: ctx.scopes,
      requiredSteps: steps,
      completedSteps: [],
      reauthenticatedAt: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INTERACTION_LIFETIME_MS),
    };
    await this.deps.interactions.insert(interaction);
    return interaction;
  }

  findInteraction(id: string): Promise<Interaction | null> {
    return this.deps.interactions.find(id, this.now());
  }

  updateInteraction(id: string, patch: Parameters<InteractionRepository['update']>[1]): Promise<void> {
    return this.deps.interactions.update(id, patch);
  }

  /** True for exactly one caller: the one that may issue the interaction's code. */
  consumeInteraction(id: string): Promise<boolean> {
    return this.deps.interactions.delete(id);
  }

  grantConsent(userId: string, clientId: string, scopes: string[]): Promise<unknown> {
    return this.deps.consents.grant(userId, clientId, scopes, this.now());
  }

  /** Stores a fresh code (only its hash) and returns the redirect that delivers it. */
  async issueCode(ctx: AuthorizationContext, user: User, session: Session, issuer: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.deps.codes.insert({
      codeHash: hashToken(code),
      clientId: ctx.client!.id,
      userId: user.id,
      sessionId: session.id,
      redirectUri: ctx.redirectUri!,
      scope: ctx.scopes.join(' '),
      nonce: ctx.nonce,
      codeChallenge: ctx.codeChallenge,
      codeChallengeMethod: ctx.codeChallengeMethod,
      authTime: session.authTime,
      amr: session.amr,
      claims: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
    });
    return redirectTo(ctx.redirectUri!, { code, state: ctx.state, iss: issuer });
  }
}

/** The redirect URI with response parameters added to its query (RFC 6749 §4.1.2, RFC 9207). */
export function redirectTo(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.append(key, value);
  return url.toString();
}
