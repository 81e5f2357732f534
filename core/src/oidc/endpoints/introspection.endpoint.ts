import { OAuthError } from '../../errors/oauth.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type RouteDef } from '../../http/route.js';
import type { User } from '../../users/user.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { invalidClient } from '../client-auth/client-auth.errors.js';
import { type FormBody, formValue } from '../client-auth/client-auth-method.port.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import type { FoundToken, TokenLookup } from '../tokens/token-lookup.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';

export const INTROSPECTION_PATH = '/api/oidc/introspect';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface IntrospectionDeps {
  authenticateClient: ClientAuthenticator;
  tokens: Pick<TokenLookup, 'find'>;
  users: { findById(id: string): Promise<User | null> };
  now?: () => Date;
}

/**
 * Advertised on the back-channel base like Pocket ID's. Every method but `none`: introspection needs
 * an authenticated caller (RFC 7662 §2.1), so public clients cannot use it.
 */
export function registerIntrospectionDiscovery(
  discovery: DiscoveryRegistry,
  deps: { authMethods: readonly string[] },
): void {
  discovery.add('introspection', ({ backchannelBase }) => ({
    introspection_endpoint: `${backchannelBase}${INTROSPECTION_PATH}`,
    introspection_endpoint_auth_methods_supported: deps.authMethods.filter((m) => m !== 'none'),
  }));
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * `POST /api/oidc/introspect` (RFC 7662). A client learns only about its own tokens: another client's
 * token, like an unknown, expired, used, revoked one or one whose user is disabled or gone, is
 * `{"active": false}` and nothing more (§2.2).
 */
export function introspectionRoutes(deps: IntrospectionDeps): RouteDef[] {
  const now = deps.now ?? (() => new Date());

  const activeUser = async (userId: string | null): Promise<User | null | false> => {
    if (userId === null) return null;
    const user = await deps.users.findById(userId);
    return user && !user.disabled ? user : false;
  };

  const describe = async (
    found: FoundToken | null,
    clientId: string,
    issuer: string,
  ): Promise<Record<string, unknown> | null> => {
    if (!found) return null;
    if (found.type === 'access_token') {
      const { record, payload } = found;
      if (record.revokedAt || record.clientId !== clientId) return null;
      const user = await activeUser(record.userId);
      if (user === false) return null;
      return {
        active: true,
        ...(record.scope ? { scope: record.scope } : {}),
        client_id: record.clientId,
        ...(user ? { username: user.username } : {}),
        token_type: 'Bearer',
        exp: payload.exp,
        iat: payload.iat,
        sub: payload.sub,
        aud: payload.aud,
        iss: payload.iss,
        jti: payload.jti,
      };
    }
    const { token, family } = found;
    if (family.clientId !== clientId || family.revokedAt || token.usedAt) return null;
    if (token.expiresAt.getTime() <= now().getTime()) return null;
    const user = await activeUser(family.userId);
    if (!user) return null;
    return {
      active: true,
      scope: family.scope,
      client_id: family.clientId,
      username: user.username,
      exp: seconds(token.expiresAt),
      iat: seconds(token.createdAt),
      sub: family.userId,
      iss: issuer,
    };
  };

  return [
    defineRoute<Record<string, string>, FormBody>({
      name: 'oidc.introspect',
      method: 'POST',
      path: INTROSPECTION_PATH,
      auth: 'client',
      body: 'form',
      errors: 'oauth',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'Whether a token of the calling client is active, and what it carries (RFC 7662)',
      async handler(req, scope) {
        rejectUnstorableCharacters(req.body);
        const client = await deps.authenticateClient(req, req.body);
        if (client.isPublic) throw invalidClient('Public clients cannot introspect tokens');
        const token = formValue(req.body, 'token');
        if (!token) throw new OAuthError('invalid_request', 'token is required');
        const found = await deps.tokens.find(token, scope.issuer, formValue(req.body, 'token_type_hint'));
        const answer = await describe(found, client.id, scope.issuer);
        return json(200, answer ?? { active: false }, NO_STORE);
      },
    }),
  ];
}
