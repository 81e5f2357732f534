import { randomBytes, randomUUID } from 'node:crypto';
import type { OidcClient } from '../../clients/oidc-client.js';
import { DEFAULT_ACCESS_TOKEN_MINUTES, DEFAULT_REFRESH_TOKEN_MINUTES } from '../../clients/oidc-client.js';
import { hashToken } from '../../sessions/session.service.js';
import type { User } from '../../users/user.js';
import { requestedClaimNames, type ClaimsRequest } from '../claims/claims-request.js';
import type { ScopeClaimsService } from '../claims/scope-claims.service.js';
import type { TokenResponse } from '../grants/grant.js';
import type { AccessTokenRepository } from './access-token.repository.port.js';
import { issueAccessToken, issueIdToken, type TokenSigner } from './oidc-tokens.js';
import type { RefreshTokenFamily, RefreshTokenRepository } from './refresh-token.repository.port.js';

export interface TokenIssuerDeps {
  signer: TokenSigner;
  accessTokens: Pick<AccessTokenRepository, 'insert'>;
  refreshTokens: Pick<RefreshTokenRepository, 'createFamily' | 'addToken'>;
  claims: Pick<ScopeClaimsService, 'claimsFor'>;
  now?: () => Date;
}

/** What a grant hands over once it has decided who gets which scopes. */
export interface TokenRequest {
  issuer: string;
  client: OidcClient;
  /** The resource owner; null when the client acts for itself (`client_credentials`). */
  user: User | null;
  /** The scopes of this access token (and ID token claims). */
  scopes: string[];
  /** When and how the user authenticated: the ID token's `auth_time` and `amr`, kept on the family. */
  authTime: Date | null;
  amr: string[];
  /** Echoed in the ID token; null on a refresh (OIDC Core §12.2 carries no new nonce). */
  nonce: string | null;
  sessionId: string | null;
  /**
   * `start`: begin a refresh-token family whose grant is `scopes` (they bound every later refresh);
   * `rotate`: add the next token to an existing family; absent: no refresh token.
   */
  refresh?: { start: { scopes: string[] } } | { rotate: RefreshTokenFamily };
  /**
   * The grant's `claims` request (OIDC Core §5.5): its `id_token` claims join the ID token's scope
   * claims, and a new refresh family keeps it (for later ID tokens and for userinfo).
   */
  claims?: ClaimsRequest | null;
  /** More ID token claims (e.g. `c_hash`), on top of the scope claims. */
  idTokenClaims?: Record<string, unknown>;
}

export interface IssuedTokens {
  response: TokenResponse;
  accessTokenJti: string;
  /** The family the refresh token belongs to; null when none was issued. */
  familyId: string | null;
}

/** Tokens signed and ready to hand out, whose records are not written yet (`TokenIssuer.mint`). */
export interface MintedTokens extends IssuedTokens {
  /** Writes the refresh token (and its new family) and the access token's record. */
  store(): Promise<void>;
}

/**
 * The one place tokens are minted, for every grant (code, refresh, client credentials, device code):
 * an RFC 9068 access token (recorded only when no refresh-token family vouches for it), an OIDC ID
 * token when a user granted `openid`, and an opaque refresh token (only its SHA-256 is stored) when asked.
 * Per-client lifetimes apply.
 *
 * Two steps, so a grant can sign outside its transaction: `mint` reads the claims and signs, writing
 * nothing; `store` writes the rows, inside the transaction that consumes the grant, so they land
 * together with whatever it consumed. Signing runs off the event loop (signing-key.service.ts); inside
 * a transaction it would keep the database (on SQLite, the process's one connection) waiting for it.
 * Tokens minted for a grant whose consumption then fails are dropped unsent. `issue` does both at once.
 */
export class TokenIssuer {
  constructor(private readonly deps: TokenIssuerDeps) {}

  async issue(request: TokenRequest): Promise<IssuedTokens> {
    const minted = await this.mint(request);
    await minted.store();
    return { response: minted.response, accessTokenJti: minted.accessTokenJti, familyId: minted.familyId };
  }

  async mint(request: TokenRequest): Promise<MintedTokens> {
    const { client, user } = request;
    const now = this.deps.now?.() ?? new Date();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const writes: (() => Promise<void>)[] = [];

    let familyId: string | null = null;
    let refreshToken: string | undefined;
    if (request.refresh) {
      if (!user) throw new Error('A refresh token needs a user');
      refreshToken = randomBytes(32).toString('base64url');
      const lifetimeMs = (client.refreshTokenLifetimeMinutes ?? DEFAULT_REFRESH_TOKEN_MINUTES) * 60_000;
      const token = {
        tokenHash: hashToken(refreshToken),
        createdAt: now,
        expiresAt: new Date(now.getTime() + lifetimeMs),
      };
      // The family vouches for its access tokens (below): it must not be cleaned up before the one
      // issued now expires, even when a client's access tokens live longer than its refresh tokens.
      const accessLifetimeMs = (client.accessTokenLifetimeMinutes ?? DEFAULT_ACCESS_TOKEN_MINUTES) * 60_000;
      const familyExpiresAt = new Date(
        Math.max(token.expiresAt.getTime(), issuedAt * 1000 + accessLifetimeMs),
      );
      if ('start' in request.refresh) {
        const family = {
          id: randomUUID(),
          clientId: client.id,
          userId: user.id,
          sessionId: request.sessionId,
          scope: request.refresh.start.scopes.join(' '),
          authTime: request.authTime ?? now,
          amr: request.amr,
          claims: request.claims ?? null,
          createdAt: now,
          expiresAt: familyExpiresAt,
        };
        familyId = family.id;
        writes.push(() => this.deps.refreshTokens.createFamily(family, token));
      } else {
        const family = request.refresh.rotate;
        familyId = family.id;
        // The family's row is rewritten only when its expiry no longer covers what is issued now, and
        // then with a quarter of the refresh lifetime to spare: a client refreshing every few minutes
        // rewrites it a few times per lifetime instead of on every rotation (a row and an index entry
        // less in each rotation's commit). An expired family is cleaned up that much later at most.
        const extendTo =
          family.expiresAt.getTime() >= familyExpiresAt.getTime()
            ? null
            : new Date(familyExpiresAt.getTime() + Math.floor(lifetimeMs / 4));
        writes.push(() => this.deps.refreshTokens.addToken({ ...token, familyId: family.id }, extendTo));
      }
    }

    const access = await issueAccessToken(this.deps.signer, {
      issuer: request.issuer,
      client,
      // RFC 9068 §2.2: without a resource owner, `sub` identifies the client.
      subject: user?.id ?? client.id,
      scopes: request.scopes,
      issuedAt,
      clientCredentials: !user,
      familyId,
    });
    // Tokens of a refresh-token family are not recorded: their `jti` names the family, whose own row
    // says whether they were revoked (token-lookup.ts). A client's own token belongs to no grant; only
    // RFC 7009 can revoke it, and that records it then. Any other user token gets its record.
    if (user && !familyId) {
      const record = {
        jti: access.jti,
        clientId: client.id,
        userId: user.id,
        familyId,
        sessionId: request.sessionId,
        scope: request.scopes.join(' '),
        createdAt: now,
        expiresAt: new Date((access.issuedAt + access.expiresIn) * 1000),
      };
      writes.push(() => this.deps.accessTokens.insert(record));
    }

    const response: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: request.scopes.join(' '),
    };
    if (refreshToken) response.refresh_token = refreshToken;
    if (user && request.scopes.includes('openid')) {
      response.id_token = await issueIdToken(this.deps.signer, {
        issuer: request.issuer,
        client,
        subject: user.id,
        authTime: request.authTime ?? now,
        nonce: request.nonce,
        amr: request.amr,
        sessionId: request.sessionId,
        accessToken: access.token,
        claims: {
          ...(request.idTokenClaims ?? {}),
          ...(await this.deps.claims.claimsFor(
            user,
            request.scopes,
            request.issuer,
            requestedClaimNames(request.claims, 'id_token'),
          )),
        },
      });
    }
    return {
      response,
      accessTokenJti: access.jti,
      familyId,
      async store() {
        for (const write of writes) await write();
      },
    };
  }
}
