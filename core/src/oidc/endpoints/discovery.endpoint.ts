import { defineRoute, type RouteDef } from '../../http/route.js';
import { jsonText } from '../../http/render.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';

/** Browsers' RPs (SPAs) fetch discovery and JWKS cross-origin; Pocket ID allows any origin here too. */
export const WELL_KNOWN_CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'Authorization',
};

/**
 * `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0) and
 * `/.well-known/oauth-authorization-server` (RFC 8414) serve the same document, as Pocket ID does.
 */
export function discoveryRoutes(
  registry: DiscoveryRegistry,
  backchannelBase: (issuer: string) => string,
): RouteDef[] {
  const handler: RouteDef['handler'] = async (_req, scope) => {
    const text = registry.serialize({ issuer: scope.issuer, backchannelBase: backchannelBase(scope.issuer) });
    return jsonText(200, text, WELL_KNOWN_CORS);
  };
  return [
    defineRoute({
      name: 'oidc.discovery',
      method: 'GET',
      path: '/.well-known/openid-configuration',
      auth: 'public',
      database: false,
      tags: ['oidc'],
      summary: 'OpenID Provider metadata',
      handler,
    }),
    defineRoute({
      name: 'oidc.discovery.rfc8414',
      method: 'GET',
      path: '/.well-known/oauth-authorization-server',
      auth: 'public',
      database: false,
      tags: ['oidc'],
      summary: 'OAuth 2.0 Authorization Server metadata (RFC 8414)',
      handler,
    }),
    defineRoute({
      name: 'oidc.well-known.preflight',
      method: 'OPTIONS',
      path: '/.well-known/*',
      auth: 'public',
      database: false,
      async handler() {
        return { status: 204, headers: WELL_KNOWN_CORS };
      },
    }),
  ];
}
