import { defineRoute, type RouteDef } from '../../http/route.js';
import { jsonText } from '../../http/render.js';
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
  // The key set object is replaced only when the keys change, so its JSON is kept by identity.
  let cached: { set: object; text: string } | undefined;
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
        const set = keys.jwks();
        if (cached?.set !== set) cached = { set, text: JSON.stringify(set) };
        return jsonText(200, cached.text, WELL_KNOWN_CORS);
      },
    }),
  ];
}
