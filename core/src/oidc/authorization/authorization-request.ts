import type { OAuthErrorCode } from '../../errors/oauth.errors.js';
import type { OidcClient } from '../../clients/oidc-client.js';
import type { ClaimsRequest } from '../claims/claims-request.js';

/** OAuth 2.0 Multiple Response Type Encoding Practices and Form Post Response Mode. */
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/**
 * RFC 6749 §4.1.2.1: an error found before `client_id` and `redirect_uri` are verified is never
 * redirected to the client (it goes to the `/interaction/error` page); after that it is redirected
 * with `state` and `iss` (RFC 9207), in the request's response mode.
 */
export class AuthorizeError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    /** Where, how and with which `state` to send the error; absent while the redirect URI is unverified. */
    readonly redirect?: { redirectUri: string; state: string | null; responseMode: ResponseMode },
  ) {
    super(description);
    this.name = 'AuthorizeError';
  }
}

/**
 * Where the parameters being checked came from: the authorization endpoint itself, the PAR endpoint
 * (RFC 9126), or an interaction that stored them after they passed once (so a `request_uri` is
 * already resolved and a client that requires PAR is satisfied).
 */
export type RequestSource = 'authorize' | 'par' | 'stored';

/** The authorization request as the checks build it up, in wire names where they are parameters. */
export interface AuthorizationContext {
  /**
   * The effective parameters, single-valued: the query (GET) or form body (POST), or the pushed
   * request they point to, merged with an unsigned request object. Never holds `request`/`request_uri`.
   */
  params: Record<string, string>;
  /** Parameters the request sent more than once (left out of `params`): `invalid_request`. */
  repeated: readonly string[];
  source: RequestSource;
  /** True when the parameters came from a pushed authorization request (RFC 9126). */
  pushed: boolean;
  client?: OidcClient;
  /** Set once verified: errors may be redirected from then on. */
  redirectUri?: string;
  /** `query` unless the request asks for another supported mode. */
  responseMode: ResponseMode;
  scopes: string[];
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  prompt: Set<string>;
  /** OIDC Core §3.1.2.1, seconds; null when not sent. */
  maxAge: number | null;
  /** The `sub` of a verified `id_token_hint`; null when none was sent. */
  idTokenHintSubject: string | null;
  /** `ui_locales`, well-formed BCP 47 tags in the order of preference; empty when not sent. */
  uiLocales: string[];
  /** The `claims` parameter (OIDC Core §5.5), validated; null when not sent. */
  claims: ClaimsRequest | null;
  /** The `sub` that `claims.id_token.sub.value` demands (§5.5.1.1); null when none. */
  requestedSubject: string | null;
}

/** Whatever a check needs from outside the request. */
export interface CheckDeps {
  findClient(id: string): Promise<OidcClient | null>;
  /**
   * RFC 9126 §4: the parameters of the pushed request behind `requestUri`, removed so that it is used
   * once; null when unknown, expired, already used, or pushed by another client.
   */
  takePushedRequest(requestUri: string, clientId: string): Promise<Record<string, string> | null>;
  /**
   * The claims of an ID token this server signed for `clientId`, expired or not; null when the
   * signature, issuer, audience or type do not check out.
   */
  verifyIdTokenHint(jwt: string, clientId: string): Promise<Record<string, unknown> | null>;
  now(): Date;
}

/** One step of the authorize pipeline: throws an AuthorizeError, or fills in the context. */
export type AuthorizationCheck = (ctx: AuthorizationContext, deps: CheckDeps) => void | Promise<void>;

export const fail = (ctx: AuthorizationContext, error: OAuthErrorCode, description: string): never => {
  throw new AuthorizeError(
    error,
    description,
    ctx.redirectUri === undefined
      ? undefined
      : { redirectUri: ctx.redirectUri, state: ctx.state, responseMode: ctx.responseMode },
  );
};

/** A fresh context for `params`, before any check ran. */
export function newContext(
  params: Record<string, string>,
  source: RequestSource,
  repeated: readonly string[] = [],
): AuthorizationContext {
  return {
    params,
    repeated,
    source,
    pushed: false,
    responseMode: 'query',
    scopes: [],
    state: params.state ?? null,
    nonce: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    prompt: new Set(),
    maxAge: null,
    idTokenHintSubject: null,
    uiLocales: [],
    claims: null,
    requestedSubject: null,
  };
}
