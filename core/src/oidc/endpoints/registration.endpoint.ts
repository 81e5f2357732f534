import { OAuthError } from '../../errors/oauth.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type HttpRequest, type RouteDef } from '../../http/route.js';
import type { User } from '../../users/user.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import {
  REGISTRATION_PATH,
  invalidRegistrationToken,
  type ClientRegistrationService,
} from '../registration/client-registration.service.js';

export { REGISTRATION_PATH };

const REALM = 'latchkey';
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export interface RegistrationDeps {
  registration: ClientRegistrationService;
  /** Resolves an API key (`STATIC_API_KEY` or a stored key) to its owner; null when unknown or expired. */
  apiKeys: { authenticate(secret: string): Promise<User | null> };
  /** Where back-channel endpoints live (INTERNAL_APP_URL, as discovery advertises them). */
  backchannelBase: (issuer: string) => string;
}

/** RFC 8414 §2 / OIDC Discovery: `registration_endpoint`, and nothing else. */
export function registerRegistrationDiscovery(discovery: DiscoveryRegistry): void {
  discovery.add('registration', ({ backchannelBase }) => ({
    registration_endpoint: `${backchannelBase}${REGISTRATION_PATH}`,
  }));
}

function bearerOf(req: HttpRequest<unknown, unknown, unknown>): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

/** RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code. */
const noToken = (what: string) =>
  new OAuthError('invalid_token', `No ${what} was sent`, {
    headers: { 'www-authenticate': `Bearer realm="${REALM}"` },
  });

/**
 * RFC 7591 §3: the initial access token is an administrator's API key, sent as
 * `Authorization: Bearer <key>` or, as the admin API takes it, `X-API-Key: <key>`.
 */
async function initialAccess(
  req: HttpRequest<unknown, unknown, unknown>,
  apiKeys: RegistrationDeps['apiKeys'],
): Promise<User> {
  const apiKeyHeader = req.headers['x-api-key'];
  const token = bearerOf(req) ?? (typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined);
  if (!token) throw noToken('initial access token (an administrator API key)');
  const user = await apiKeys.authenticate(token);
  if (!user || user.disabled)
    throw invalidRegistrationToken('The initial access token is invalid or expired');
  if (!user.isAdmin) {
    throw new OAuthError('insufficient_scope', 'The initial access token must be an administrator API key', {
      headers: { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope"` },
    });
  }
  return user;
}

function registrationToken(req: HttpRequest<unknown, unknown, unknown>): string {
  const token = bearerOf(req);
  if (!token) throw noToken('registration access token');
  return token;
}

type ClientParams = { clientId: string };

/**
 * Dynamic Client Registration, beyond Pocket ID: `POST /api/oidc/register` (RFC 7591), and the client
 * configuration endpoint `/api/oidc/register/:clientId` (RFC 7592: GET, PUT, DELETE with the
 * registration access token). Errors are RFC 7591 §3.2.2 / RFC 6750 JSON, never problem details.
 */
export function registrationRoutes(deps: RegistrationDeps): RouteDef[] {
  const base = (issuer: string) => deps.backchannelBase(issuer);
  return [
    defineRoute<Record<string, string>, unknown>({
      name: 'oidc.registration',
      method: 'POST',
      path: REGISTRATION_PATH,
      auth: 'bearer',
      body: 'json',
      errors: 'oauth',
      tags: ['oidc'],
      summary: 'Register a client (RFC 7591); the initial access token is an administrator API key',
      async handler(req, scope) {
        const owner = await initialAccess(req, deps.apiKeys);
        const info = await deps.registration.register(req.body ?? {}, owner.id, base(scope.issuer));
        return json(201, info, NO_STORE);
      },
    }),
    defineRoute<ClientParams>({
      name: 'oidc.registration.read',
      method: 'GET',
      path: `${REGISTRATION_PATH}/:clientId`,
      auth: 'bearer',
      errors: 'oauth',
      tags: ['oidc'],
      summary: "A registered client's information (RFC 7592 §2.1)",
      async handler(req, scope) {
        const token = registrationToken(req);
        return json(
          200,
          await deps.registration.read(req.params.clientId, token, base(scope.issuer)),
          NO_STORE,
        );
      },
    }),
    defineRoute<ClientParams, unknown>({
      name: 'oidc.registration.update',
      method: 'PUT',
      path: `${REGISTRATION_PATH}/:clientId`,
      auth: 'bearer',
      body: 'json',
      errors: 'oauth',
      tags: ['oidc'],
      summary: "Replace a registered client's metadata (RFC 7592 §2.2)",
      async handler(req, scope) {
        const token = registrationToken(req);
        const info = await deps.registration.update(
          req.params.clientId,
          token,
          req.body ?? {},
          base(scope.issuer),
        );
        return json(200, info, NO_STORE);
      },
    }),
    defineRoute<ClientParams>({
      name: 'oidc.registration.delete',
      method: 'DELETE',
      path: `${REGISTRATION_PATH}/:clientId`,
      auth: 'bearer',
      errors: 'oauth',
      tags: ['oidc'],
      summary: 'Delete a registered client (RFC 7592 §2.3)',
      async handler(req) {
        await deps.registration.delete(req.params.clientId, registrationToken(req));
        return { status: 204, headers: NO_STORE };
      },
    }),
  ];
}
