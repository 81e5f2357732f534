import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { RequestScope } from '../../http/route.js';
import { hashToken } from '../../sessions/session.service.js';
import type { Database } from '../../storage/database.port.js';
import type { AuthorizationCodeRepository } from '../authorization/authorization-code.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { RefreshTokenRepository } from '../tokens/refresh-token.repository.port.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { checkPkce } from './checks/pkce.check.js';
import { checkNoResource } from './checks/resource.check.js';
import { parseScope } from './checks/scope.check.js';
import { checkUserAllowed, type UserAllowedDeps } from './checks/user-allowed.check.js';
import type { Grant, TokenResponse } from './grant.js';

export interface AuthorizationCodeGrantDeps extends UserAllowedDeps {
  codes: Pick<AuthorizationCodeRepository, 'redeem' | 'setFamily'>;
  refreshTokens: Pick<RefreshTokenRepository, 'revokeFamily'>;
  issuer: Pick<TokenIssuer, 'issue'>;
  database: Pick<Database, 'transaction'>;
  now?: () => Date;
}

/**
 * RFC 6749 §4.1.3 and OIDC Core §3.1.3: exchange a code for tokens.
 *
 * Refresh tokens: like Pocket ID (its fosite setup has no required refresh scopes), every code grant
 * gets one, whether or not `offline_access` was granted.
 *
 * The redemption, the checks and the issuance share one transaction: a failed check rolls the
 * redemption back (a wrong client or verifier cannot burn someone's code), and a concurrent second
 * redemption waits for the first to commit, so it always finds the family the first one started and
 * revokes it (RFC 6749 §4.1.2: "SHOULD revoke … all tokens previously issued based on that code").
 */
/**
 * RFC 6749 §4.1.3 wants `redirect_uri` at the token endpoint, identical, when the authorization request
 * included it. The code keeps the URI it was sent to, not whether the request named it, so one case is
 * decided from the client instead: with a single fixed callback, which /authorize fills in when the
 * parameter is omitted (Pocket ID), no other URI could have received the code, and the token request
 * may omit it too. That accepts an omission the RFC would refuse when the authorization request did
 * name that one callback; nothing is lost by it, since the check exists to catch a code delivered
 * somewhere else (OAuth 2.1 drops it in favour of PKCE). Named, it must be the code's URI.
 */
function redirectUriMatches(presented: string | undefined, codeUri: string, client: OidcClient): boolean {
  if (presented !== undefined) return presented === codeUri;
  return client.callbackUrls.length === 1 && client.callbackUrls[0] === codeUri;
}

export function authorizationCodeGrant(deps: AuthorizationCodeGrantDeps): Grant {
  const now = deps.now ?? (() => new Date());
  return {
    type: 'authorization_code',
    async handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse> {
      const raw = formValue(body, 'code');
      if (!raw) throw new OAuthError('invalid_request', 'code is required');
      checkNoResource(body);
      const redirectUri = formValue(body, 'redirect_uri');
      const codeHash = hashToken(raw);

      const outcome = await deps.database.transaction(async () => {
        const redeemed = await deps.codes.redeem(codeHash, now());
        if (!redeemed) return 'unknown' as const;
        if (!redeemed.first) {
          // Revoked here, inside the transaction that must commit: hence an outcome, not a throw.
          if (redeemed.code.familyId) await deps.refreshTokens.revokeFamily(redeemed.code.familyId, now());
          return 'replayed' as const;
        }
        const code = redeemed.code;
        if (code.clientId !== client.id) {
          throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
        }
        if (!redirectUriMatches(redirectUri, code.redirectUri, client)) {
          throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
        }
        checkPkce(code, formValue(body, 'code_verifier'));
        const user = await checkUserAllowed(deps, client, code.userId);

        const scopes = parseScope(code.scope);
        const issued = await deps.issuer.issue({
          issuer: scope.issuer,
          client,
          user,
          scopes,
          authTime: code.authTime,
          amr: code.amr,
          nonce: code.nonce,
          sessionId: code.sessionId,
          claims: code.claims,
          refresh: { start: { scopes } },
        });
        if (issued.familyId) await deps.codes.setFamily(codeHash, issued.familyId);
        return issued.response;
      });

      if (outcome === 'unknown') {
        throw new OAuthError('invalid_grant', 'The authorization code is invalid or expired');
      }
      if (outcome === 'replayed') {
        throw new OAuthError(
          'invalid_grant',
          'The authorization code was already used; the tokens issued for it are revoked',
        );
      }
      return outcome;
    },
  };
}
