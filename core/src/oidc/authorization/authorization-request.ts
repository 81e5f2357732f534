import type { OAuthErrorCode } from '../../errors/oauth.errors.js';
import type { OidcClient } from '../../clients/oidc-client.js';

/**
 * RFC 6749 §4.1.2.1: an error found before `client_id` and `redirect_uri` are verified is never
 * redirected to the client (it goes to the `/interaction/error` page); after that it is redirected
 * with `state` and `iss` (RFC 9207).
 */
export class AuthorizeError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    /** Where and with which `state` to redirect the error; absent while the redirect URI is unverified. */
    readonly redirect?: { redirectUri: string; state: string | null },
  ) {
    super(description);
    this.name = 'AuthorizeError';
  }
}

/** The authorization request as the checks build it up, in wire names where they are parameters. */
export interface AuthorizationContext {
  /** The raw parameters (query for GET, form body for POST), single-valued. */
  params: Record<string, string>;
  client?: OidcClient;
  /** Set once verified: errors may be redirected from then on. */
  redirectUri?: string;
  scopes: string[];
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  prompt: Set<string>;
  /** OIDC Core §3.1.2.1, seconds; null when not sent. */
  maxAge: number | null;
}

/** Whatever a check needs from outside the request. */
export interface CheckDeps {
  findClient(id: string): Promise<OidcClient | null>;
}

/** One step of the authorize pipeline: throws an AuthorizeError, or fills in the context. */
export type AuthorizationCheck = (ctx: AuthorizationContext, deps: CheckDeps) => void | Promise<void>;

export const fail = (ctx: AuthorizationContext, error: OAuthErrorCode, description: string): never => {
  throw new AuthorizeError(
    error,
    description,
    ctx.redirectUri === undefined ? undefined : { redirectUri: ctx.redirectUri, state: ctx.state },
  );
};
