import { defineRoute, type RouteDef } from '../../http/route.js';
import { json } from '../../http/render.js';
import { WELL_KNOWN_CORS } from './discovery.endpoint.js';

/** The public half of the key set: what the signing-key service offers to the JWKS endpoint. */
export interface PublicKeySet {
  jwks(): { keys: object[] };
}

/**
 * `/.well-known/jwks.json`. Unlike Pocket ID, which serves only the current key, a rotated-out key stays
 * here for its grace period so tokens signed before a rotation keep verifying.
 */
export function jwksRoutes(keys: PublicKeySet): RouteDef[] {
  return [
    defineRoute({
      name: 'oidc.jwks',
      method: 'GET',
      path: '/.well-known/jwks.json',
      auth: 'public',
      database: false,
      tags: ['oidc'],
      summary: 'The public signing keys (RFC 7517)',
      async handler() {
        // application/json rather than application/jwk-set+json: what Pocket ID sends and every RP accepts.
        return json(200, keys.jwks(), WELL_KNOWN_CORS);
      },
    }),
  ];
}
