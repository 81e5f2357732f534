import type { OidcClient } from '../../clients/oidc-client.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import type { RequestScope } from '../../http/route.js';
import { hashToken } from '../../sessions/session.service.js';
import type { Database } from '../../storage/database.port.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DeviceCodeRepository } from '../device/device-code.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { checkNoResource } from './checks/resource.check.js';
import { parseScope } from './checks/scope.check.js';
import { checkUserAllowed, type UserAllowedDeps } from './checks/user-allowed.check.js';
import type { Grant, TokenResponse } from './grant.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceCodeGrantDeps extends UserAllowedDeps {
  codes: Pick<DeviceCodeRepository, 'findByDeviceCodeHash' | 'poll' | 'consume'>;
  issuer: Pick<TokenIssuer, 'issue'>;
  database: Pick<Database, 'transaction'>;
  now?: () => Date;
}

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. In order: unknown or another client's code
 * → `invalid_grant`; expired → `expired_token`; polled sooner than the interval → `slow_down` (and the
 * interval grows by 5 s); not yet decided → `authorization_pending`; denied → `access_denied`;
 * approved → tokens, once (the code is deleted in the same transaction). The user is re-checked as at
 * every token request, and a refresh token is issued as for the code grant (Pocket ID does the same).
 */
export function deviceCodeGrant(deps: DeviceCodeGrantDeps): Grant {
  const now = deps.now ?? (() => new Date());
  return {
    type: DEVICE_CODE_GRANT,
    async handle(body: FormBody, client: OidcClient, scope: RequestScope): Promise<TokenResponse> {
      const raw = formValue(body, 'device_code');
      if (!raw) throw new OAuthError('invalid_request', 'device_code is required');
      checkNoResource(body);
      const hash = hashToken(raw);
      const code = await deps.codes.findByDeviceCodeHash(hash);
      if (!code || code.clientId !== client.id) {
        throw new OAuthError('invalid_grant', 'The device code is invalid');
      }
      const at = now();
      if (code.expiresAt <= at) throw new OAuthError('expired_token', 'The device code has expired');
      if ((await deps.codes.poll(hash, at)) === 'slow_down') {
        throw new OAuthError('slow_down', `Poll at most every ${code.pollInterval + 5} seconds`);
      }
      if (code.status === 'pending') {
        throw new OAuthError('authorization_pending', 'The user has not approved the request yet');
      }
      if (code.status === 'denied') {
        await deps.codes.consume(hash);
        // RFC 6749 §5.2: token endpoint errors are 400 (the map's 403 is for /authorize's redirects).
        throw new OAuthError('access_denied', 'The user denied the request', { status: 400 });
      }
      return deps.database.transaction(async () => {
        if (!(await deps.codes.consume(hash))) {
          throw new OAuthError('invalid_grant', 'The device code was already used');
        }
        const user = await checkUserAllowed(deps, client, code.userId!);
        const scopes = parseScope(code.scope);
        const issued = await deps.issuer.issue({
          issuer: scope.issuer,
          client,
          user,
          scopes,
          authTime: code.authTime,
          amr: code.amr ?? [],
          nonce: null,
          sessionId: code.sessionId,
          refresh: { start: { scopes } },
        });
        return issued.response;
      });
    },
  };
}
