import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { UserGroup } from '../../groups/user-group.js';
import type { RequestScope } from '../../http/route.js';
import { hashToken } from '../../sessions/session.service.js';
import type { User } from '../../users/user.js';
import type { AuthorizationCodeRepository } from '../authorization/authorization-code.js';
import type { ScopeClaimsService } from '../claims/scope-claims.service.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import { issueAccessToken, issueIdToken, type TokenSigner } from '../tokens/oidc-tokens.js';
import { checkPkce } from './checks/pkce.check.js';
import type { Grant, TokenResponse } from './grant.js';

export interface AuthorizationCodeGrantDeps {
  codes: Pick<AuthorizationCodeRepository, 'redeem'>;
  users: { findById(id: string): Promise<User | null> };
  groups: { groupsOfUsers(userIds: string[]): Promise<Map<string, UserGroup[]>> };
  clients: { allowedGroupsOf(clientIds: string[]): Promise<Map<string, UserGroup[]>> };
  claims: ScopeClaimsService;
  signer: TokenSigner;
  now?: () => Date;
}

/** RFC 6749 §4.1.3 and OIDC Core §3.1.3: exchange a code for tokens. */
export function authorizationCodeGrant(deps: AuthorizationCodeGrantDeps): Grant {
  const now = deps.now ?? (() => new Date());
  return {
    type: 'authorization_code',
    async handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse> {
      const raw = formValue(body, 'code');
      if (!raw) throw new OAuthError('invalid_request', 'code is required');
      const redirectUri = formValue(body, 'redirect_uri');

      const redeemed = await deps.codes.redeem(hashToken(raw), now());
      if (!redeemed) throw new OAuthError('invalid_grant', 'The authorization code is invalid or expired');
      // RFC 6749 §4.1.2: a code is single use. The second redemption should also revoke what the first
      // issued; that arrives with refresh tokens (their family id is stored on the code).
      if (!redeemed.first) throw new OAuthError('invalid_grant', 'The authorization code was already used');
      const code = redeemed.code;
      if (code.clientId !== client.id) {
        throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
      }
      // RFC 6749 §4.1.3: required, and identical, when the authorization request included it.
      if (redirectUri !== code.redirectUri) {
        throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
      }
      checkPkce(code, formValue(body, 'code_verifier'));

      const user = await deps.users.findById(code.userId);
      if (!user || user.disabled) throw new OAuthError('invalid_grant', 'The user is no longer active');
      if (client.isGroupRestricted) {
        const allowed = new Set(
          (await deps.clients.allowedGroupsOf([client.id])).get(client.id)?.map((g) => g.id),
        );
        const mine = (await deps.groups.groupsOfUsers([user.id])).get(user.id) ?? [];
        if (!mine.some((g) => allowed.has(g.id))) {
          throw new OAuthError('invalid_grant', 'The user is not in a group allowed to use this client');
        }
      }

      const scopes = code.scope.split(' ').filter(Boolean);
      const access = await issueAccessToken(deps.signer, {
        issuer: scope.issuer,
        client,
        subject: user.id,
        scopes,
      });
      const response: TokenResponse = {
        access_token: access.token,
        token_type: 'Bearer',
        expires_in: access.expiresIn,
        scope: scopes.join(' '),
      };
      if (scopes.includes('openid')) {
        response.id_token = await issueIdToken(deps.signer, {
          issuer: scope.issuer,
          client,
          subject: user.id,
          authTime: code.authTime,
          nonce: code.nonce,
          amr: code.amr,
          sessionId: code.sessionId,
          accessToken: access.token,
          claims: await deps.claims.claimsFor(user, scopes, scope.issuer),
        });
      }
      return response;
    },
  };
}
