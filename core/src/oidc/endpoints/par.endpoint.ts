import { OAuthError } from '../../errors/oauth.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type RouteDef } from '../../http/route.js';
import { AuthorizeError } from '../authorization/authorization-request.js';
import type { AuthorizationService } from '../authorization/authorization.service.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import type { FormBody } from '../client-auth/client-auth-method.port.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';

export const PAR_PATH = '/api/oidc/par';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
/** Client credentials travel with the pushed request but are not part of it (and are never stored). */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/** Advertised on the back-channel base, as Pocket ID does (inventory §2). */
export function registerParDiscovery(discovery: DiscoveryRegistry): void {
  discovery.add('par', ({ backchannelBase }) => ({
    pushed_authorization_request_endpoint: `${backchannelBase}${PAR_PATH}`,
    // Per client (`requiresPushedAuthorizationRequests`), never for all.
    require_pushed_authorization_requests: false,
  }));
}

/**
 * `POST /api/oidc/par` (RFC 9126 §2): the client authenticates as at the token endpoint, the request
 * passes the same checks as at `/authorize` (an unsigned request object included), and is stored for 90
 * seconds behind a one-time `request_uri`. Failures are RFC 6749 JSON (§2.3), never redirects.
 */
export function parRoutes(deps: {
  authorization: AuthorizationService;
  authenticateClient: ClientAuthenticator;
}): RouteDef[] {
  return [
    defineRoute<Record<string, string>, FormBody>({
      name: 'oidc.par',
      method: 'POST',
      path: PAR_PATH,
      auth: 'client',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Pushed authorization request (RFC 9126)',
      async handler(req, scope) {
        const body = req.body;
        rejectUnstorableCharacters(body);
        const client = await deps.authenticateClient(req, body);
        const params: Record<string, string> = {};
        for (const [key, value] of Object.entries(body)) {
          if (typeof value === 'string' && !CLIENT_AUTH_PARAMS.has(key)) params[key] = value;
        }
        if (params.client_id !== undefined && params.client_id !== client.id) {
          throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
        }
        if (params.request_uri !== undefined) {
          throw new OAuthError('invalid_request', 'request_uri cannot be pushed');
        }
        params.client_id = client.id;
        let pushed;
        try {
          const ctx = await deps.authorization.validate(params, { issuer: scope.issuer, source: 'par' });
          pushed = await deps.authorization.pushRequest(ctx);
        } catch (error) {
          if (error instanceof AuthorizeError) throw new OAuthError(error.error, error.message);
          throw error;
        }
        return json(201, { request_uri: pushed.requestUri, expires_in: pushed.expiresIn }, NO_STORE);
      },
    }),
  ];
}
