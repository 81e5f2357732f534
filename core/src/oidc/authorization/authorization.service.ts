import { randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors } from 'jose';
import type { OidcClient } from '../../clients/oidc-client.js';
import type { OidcClientRepository } from '../../clients/oidc-client.repository.port.js';
import type { OAuthErrorCode } from '../../errors/oauth.errors.js';
import type { UserGroupRepository } from '../../groups/user-group.repository.port.js';
import type { ClientInfo, EventBus } from '../../kernel/event-bus.js';
import type { Session } from '../../sessions/session.js';
import { hashToken } from '../../sessions/session.service.js';
import type { User } from '../../users/user.js';
import type {
  AuthorizationCodeRepository,
  ConsentRepository,
  Interaction,
  InteractionRepository,
} from './authorization-code.js';
import {
  AuthorizeError,
  fail,
  newContext,
  type AuthorizationCheck,
  type AuthorizationContext,
  type CheckDeps,
  type RequestSource,
  type ResponseMode,
} from './authorization-request.js';
import { checkClaims } from './checks/claims.check.js';
import { checkClient } from './checks/client.check.js';
import { checkIdTokenHint } from './checks/id-token-hint.check.js';
import { checkPkce } from './checks/pkce.check.js';
import { checkPrompt } from './checks/prompt.check.js';
import { checkPushedRequestRequired } from './checks/pushed-request-required.check.js';
import { checkRedirectUri } from './checks/redirect-uri.check.js';
import { checkRepeatedParameters } from './checks/repeated-parameters.check.js';
import { checkRequestObject, PAR_REQUEST_URI_PREFIX } from './checks/request-object.check.js';
import { checkResource } from './checks/resource.check.js';
import { checkResponseMode } from './checks/response-mode.check.js';
import { checkResponseType } from './checks/response-type.check.js';
import { checkScope } from './checks/scope.check.js';
import { checkUiLocales } from './checks/ui-locales.check.js';
import type { PushedAuthorizationRequestRepository } from './pushed-authorization-request.js';

/**
 * The authorize request's checks, in order. The client first, then whatever the parameters point to
 * (a pushed request, a request object: the redirect URI may be inside), then the redirect URI: errors
 * up to there are never redirected (RFC 6749 §4.1.2.1); from the response mode on they are.
 */
export const AUTHORIZATION_PIPELINE: readonly AuthorizationCheck[] = [
  checkClient,
  checkRequestObject,
  checkRedirectUri,
  checkResponseMode,
  checkRepeatedParameters,
  checkPushedRequestRequired,
  checkResponseType,
  checkScope,
  checkClaims,
  checkPkce,
  checkPrompt,
  checkIdTokenHint,
  checkUiLocales,
  checkResource,
];

const CODE_LIFETIME_MS = 15 * 60_000;
const INTERACTION_LIFETIME_MS = 60 * 60_000;
/** RFC 9126 `expires_in` of a pushed request; Pocket ID's 90 seconds. */
export const PAR_LIFETIME_SECONDS = 90;

/** Pocket ID's interaction steps, always in this order (pocket-id-api.md §4.12). */
export const INTERACTION_STEPS = ['authenticate', 'select_account', 'reauthenticate', 'consent'] as const;
export type InteractionStep = (typeof INTERACTION_STEPS)[number];

export interface SignedIn {
  user: User;
  session: Session;
}

export interface AuthorizationDeps {
  clients: OidcClientRepository;
  groups: UserGroupRepository;
  codes: AuthorizationCodeRepository;
  consents: ConsentRepository;
  interactions: InteractionRepository;
  pushedRequests: PushedAuthorizationRequestRepository;
  /** Verifies JWTs signed with our keys (the signing key service), for `id_token_hint`. */
  idTokens: {
    verify(
      jwt: string,
      options: { typ: string; issuer: string; audience: string },
    ): Promise<{ payload: Record<string, unknown> }>;
  };
  /** Where `client.authorized` goes (the audit log listens). */
  events?: Pick<EventBus, 'emit'>;
  now?: () => Date;
}

/** Sorts steps into Pocket ID's order, without duplicates. */
export function inStepOrder(steps: Iterable<string>): InteractionStep[] {
  const set = new Set(steps);
  return INTERACTION_STEPS.filter((s) => set.has(s));
}

/**
 * The authorization code flow's use cases: validating a request (also a pushed one), deciding which
 * steps the person still has to take, remembering an unfinished request as an interaction, and
 * finishing it: consent recorded, `client.authorized` emitted, code issued.
 */
export class AuthorizationService {
  constructor(private readonly deps: AuthorizationDeps) {}

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Runs the pipeline over the request's parameters; throws an AuthorizeError. */
  async validate(
    params: Record<string, string>,
    options: { issuer: string; source: RequestSource; repeated?: readonly string[] },
  ): Promise<AuthorizationContext> {
    const ctx = newContext({ ...params }, options.source, options.repeated);
    const deps: CheckDeps = {
      findClient: (id) => this.deps.clients.findById(id),
      takePushedRequest: async (requestUri, clientId) =>
        (await this.deps.pushedRequests.consume(hashToken(requestUri), clientId, this.now()))?.parameters ??
        null,
      verifyIdTokenHint: (jwt, clientId) => this.verifyIdToken(jwt, options.issuer, clientId),
      now: () => this.now(),
    };
    for (const check of AUTHORIZATION_PIPELINE) await check(ctx, deps);
    return ctx;
  }

  /** An ID token we issued to `clientId`: its claims, also once it has expired; else null. */
  private async verifyIdToken(
    jwt: string,
    issuer: string,
    clientId: string,
  ): Promise<Record<string, unknown> | null> {
    try {
      return (await this.deps.idTokens.verify(jwt, { typ: 'JWT', issuer, audience: clientId })).payload;
    } catch (error) {
      // jose checks the signature, `typ`, `iss` and `aud` before the expiry: an expired token got that far.
      if (error instanceof joseErrors.JWTExpired && error.claim === 'exp') return error.payload;
      return null;
    }
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

  /**
   * Is the session's sign-in recent enough: within `max_age`, and for `prompt=login` made at or after
   * `since` (the moment the request arrived)?
   */
  isFresh(ctx: AuthorizationContext, session: Session, since: Date): boolean {
    if (ctx.maxAge !== null && this.now().getTime() - session.authTime.getTime() > ctx.maxAge * 1000) {
      return false;
    }
    return !(ctx.prompt.has('login') && session.authTime < since);
  }

  /** Consent is needed unless remembered for every requested scope or skipped by the client. */
  async needsConsent(ctx: AuthorizationContext, userId: string): Promise<boolean> {
    if (ctx.prompt.has('consent')) return true;
    if (ctx.client!.skipConsent) return false;
    const consent = await this.deps.consents.find(userId, ctx.client!.id);
    const granted = new Set(consent?.scopes ?? []);
    return !ctx.scopes.every((s) => granted.has(s));
  }

  /**
   * The steps between this request and a code (pocket-id-api.md §4.12), for `signedIn` or nobody:
   * - `authenticate` when nobody is signed in;
   * - `select_account` for `prompt=select_account`, or an `id_token_hint` (or a `claims` request for an
   *   ID token `sub` value) naming someone else, unless the person has just chosen by signing in
   *   (`accountChosen`);
   * - `reauthenticate` (a passkey, again) for the client's `requiresReauthentication`, and for a
   *   signed-in person whose sign-in is older than `max_age` or, with `prompt=login`, than `since`;
   * - `consent` unless remembered or skipped (for nobody: unless the client skips it).
   */
  async requiredSteps(
    ctx: AuthorizationContext,
    signedIn: SignedIn | null,
    options: { since?: Date; accountChosen?: boolean } = {},
  ): Promise<InteractionStep[]> {
    const client = ctx.client!;
    const steps: InteractionStep[] = [];
    if (!signedIn) {
      steps.push('authenticate');
    } else if (
      !options.accountChosen &&
      (ctx.prompt.has('select_account') ||
        (ctx.idTokenHintSubject !== null && ctx.idTokenHintSubject !== signedIn.user.id) ||
        (ctx.requestedSubject !== null && ctx.requestedSubject !== signedIn.user.id))
    ) {
      steps.push('select_account');
    }
    if (
      client.requiresReauthentication ||
      (signedIn && !this.isFresh(ctx, signedIn.session, options.since ?? this.now()))
    ) {
      steps.push('reauthenticate');
    }
    const consent = signedIn
      ? await this.needsConsent(ctx, signedIn.user.id)
      : ctx.prompt.has('consent') || !client.skipConsent;
    if (consent) steps.push('consent');
    return steps;
  }

  /**
   * OIDC Core §3.1.2.6: what `prompt=none` answers when a step would be needed. A hint naming someone
   * other than the signed-in person is `login_required`; so is a sign-in older than `max_age`; the
   * client's own demand for a fresh passkey is `interaction_required`.
   */
  promptNoneError(
    ctx: AuthorizationContext,
    steps: readonly InteractionStep[],
  ): { error: OAuthErrorCode; description: string } {
    switch (steps[0]) {
      case 'authenticate':
        return { error: 'login_required', description: 'The user is not signed in' };
      case 'select_account':
        return { error: 'login_required', description: 'Another user is signed in' };
      case 'reauthenticate':
        return ctx.client!.requiresReauthentication
          ? { error: 'interaction_required', description: 'The client requires the user to sign in again' }
          : { error: 'login_required', description: 'The sign-in is older than max_age' };
      default:
        return { error: 'consent_required', description: 'Consent is required' };
    }
  }

  async createInteraction(
    ctx: AuthorizationContext,
    steps: InteractionStep[],
    signedIn: SignedIn | null,
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

  /**
   * The person said no (RFC 6749 §4.1.2.1 `access_denied`): removes the interaction, once, and says
   * where the refusal goes: the stored request's verified redirect URI, in its response mode, with its
   * `state`. Null when the interaction is unknown, expired or already finished, or when its client or
   * callback URLs no longer admit the request: then nothing may be redirected.
   */
  async deny(
    id: string,
    options: { issuer: string },
  ): Promise<{ redirectUri: string; responseMode: ResponseMode; state: string | null } | null> {
    const interaction = await this.findInteraction(id);
    if (!interaction) return null;
    let ctx: AuthorizationContext;
    try {
      ctx = await this.validate(interaction.parameters, { issuer: options.issuer, source: 'stored' });
    } catch (error) {
      if (error instanceof AuthorizeError) return null;
      throw error;
    }
    // Single use, as for a code: a refusal racing an approval leaves exactly one of them standing.
    if (!(await this.consumeInteraction(interaction.id))) return null;
    return { redirectUri: ctx.redirectUri!, responseMode: ctx.responseMode, state: ctx.state };
  }

  /** RFC 9126 §2.2: stores a validated request and returns its one-time `request_uri`. */
  async pushRequest(ctx: AuthorizationContext): Promise<{ requestUri: string; expiresIn: number }> {
    const requestUri = `${PAR_REQUEST_URI_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await this.deps.pushedRequests.insert({
      requestUriHash: hashToken(requestUri),
      clientId: ctx.client!.id,
      parameters: ctx.params,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PAR_LIFETIME_SECONDS * 1000),
    });
    return { requestUri, expiresIn: PAR_LIFETIME_SECONDS };
  }

  /**
   * Finishes an authorization: remembers the consent (scopes merged; this is also the "authorized
   * client" a person can revoke, and its `lastUsedAt`), stores a fresh code (only its hash), emits
   * `client.authorized` (`firstTime` when the consent is new or gained scopes: Pocket ID's
   * `NEW_CLIENT_AUTHORIZATION`), and returns the response parameters (RFC 6749 §4.1.2, RFC 9207).
   * A re-authentication during the interaction is the sign-in the ID token reports (`auth_time`).
   */
  async authorize(
    ctx: AuthorizationContext,
    signedIn: SignedIn,
    options: { issuer: string; reauthenticatedAt: Date | null; client: ClientInfo },
  ): Promise<Record<string, string | null>> {
    const { user, session } = signedIn;
    const client = ctx.client!;
    // OIDC Core §5.5.1.1: a request for a given `sub` "MUST NOT" be answered for anyone else.
    if (ctx.requestedSubject !== null && ctx.requestedSubject !== user.id) {
      fail(ctx, 'login_required', 'The signed-in user is not the one the claims request names');
    }
    const now = this.now();
    const before = await this.deps.consents.find(user.id, client.id);
    await this.deps.consents.grant(user.id, client.id, ctx.scopes, now);
    const firstTime = before === null || ctx.scopes.some((s) => !before.scopes.includes(s));

    const reauthenticatedAt = options.reauthenticatedAt;
    const fresher = reauthenticatedAt !== null && reauthenticatedAt > session.authTime;
    const code = randomBytes(32).toString('base64url');
    await this.deps.codes.insert({
      codeHash: hashToken(code),
      clientId: client.id,
      userId: user.id,
      sessionId: session.id,
      redirectUri: ctx.redirectUri!,
      scope: ctx.scopes.join(' '),
      nonce: ctx.nonce,
      codeChallenge: ctx.codeChallenge,
      codeChallengeMethod: ctx.codeChallengeMethod,
      authTime: fresher ? reauthenticatedAt : session.authTime,
      // The re-authentication step takes a passkey (`phr`, RFC 8176).
      amr: fresher && !session.amr.includes('phr') ? [...session.amr, 'phr'] : session.amr,
      claims: ctx.claims,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
    });
    await this.deps.events?.emit('client.authorized', {
      userId: user.id,
      clientId: client.id,
      clientName: client.name,
      firstTime,
      via: 'authorize',
      client: options.client,
    });
    return { code, state: ctx.state, iss: options.issuer };
  }
}
