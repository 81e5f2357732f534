import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { RequestScope } from '../../http/route.js';
import { hashToken } from '../../sessions/session.service.js';
import type { Database } from '../../storage/database.port.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { RefreshTokenRepository } from '../tokens/refresh-token.repository.port.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { checkNoResource } from './checks/resource.check.js';
import { narrowScope, parseScope } from './checks/scope.check.js';
import { checkUserAllowed, type UserAllowedDeps } from './checks/user-allowed.check.js';
import type { Grant, TokenResponse } from './grant.js';

export interface RefreshTokenGrantDeps extends UserAllowedDeps {
  refreshTokens: Pick<RefreshTokenRepository, 'find' | 'markUsed' | 'revokeFamily'>;
  issuer: Pick<TokenIssuer, 'mint'>;
  database: Pick<Database, 'transaction'>;
  now?: () => Date;
}

const REPLAYED = 'The refresh token was already used; its grant is revoked';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every refresh uses up the presented token and issues
 * the next one of its family. Presenting a used token again, including losing a race against a
 * concurrent use of the same token, revokes the family and every access token issued from it.
 *
 * Checks that need no write come first, so that they consume nothing: another client's token (left
 * untouched: it is not that client's to burn), a widened scope (`invalid_scope`), and the user, who
 * must still exist, be enabled and be in an allowed group. The new access token carries the requested
 * subset of the grant; the family keeps the whole grant for later refreshes. A new ID token (OIDC Core
 * §12.2) keeps the original `auth_time`, `amr`, `sid` and `claims` request, and carries no `nonce`.
 */
export function refreshTokenGrant(deps: RefreshTokenGrantDeps): Grant {
  const now = deps.now ?? (() => new Date());
  return {
    type: 'refresh_token',
    async handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse> {
      const raw = formValue(body, 'refresh_token');
      if (!raw) throw new OAuthError('invalid_request', 'refresh_token is required');
      checkNoResource(body);
      const tokenHash = hashToken(raw);
      const found = await deps.refreshTokens.find(tokenHash);
      if (!found) throw new OAuthError('invalid_grant', 'The refresh token is invalid or expired');
      const { token, family } = found;
      if (family.clientId !== client.id) {
        throw new OAuthError('invalid_grant', 'The refresh token was issued to another client');
      }
      if (family.revokedAt) throw new OAuthError('invalid_grant', 'The refresh token was revoked');
      if (token.usedAt) {
        await deps.refreshTokens.revokeFamily(family.id, now());
        throw new OAuthError('invalid_grant', REPLAYED);
      }
      if (token.expiresAt.getTime() <= now().getTime()) {
        throw new OAuthError('invalid_grant', 'The refresh token is invalid or expired');
      }
      const scopes = narrowScope(formValue(body, 'scope'), parseScope(family.scope));
      const user = await checkUserAllowed(deps, client, family.userId);

      // Signed before the transaction (token-issuer.ts says why); sent only if the rotation commits.
      const minted = await deps.issuer.mint({
        issuer: scope.issuer,
        client,
        user,
        scopes,
        authTime: family.authTime,
        amr: family.amr,
        nonce: null,
        sessionId: family.sessionId,
        claims: family.claims,
        refresh: { rotate: family },
      });
      const response = await deps.database.transaction(async () => {
        if (!(await deps.refreshTokens.markUsed(tokenHash, now()))) {
          // Someone used it between our read and this write: to us that is a replay as well.
          await deps.refreshTokens.revokeFamily(family.id, now());
          return null;
        }
        await minted.store();
        return minted.response;
      });
      if (!response) throw new OAuthError('invalid_grant', REPLAYED);
      return response;
    },
  };
}
