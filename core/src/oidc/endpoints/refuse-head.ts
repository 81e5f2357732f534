import { defineRoute, type HttpMethod, type RouteDef } from '../../http/route.js';

/**
 * RFC 9110 §9.3.2 departure, on purpose: HEAD on a protocol endpoint whose GET changes state answers
 * `405 Method Not Allowed` with `Allow` (§15.5.6) instead of "the same header fields as GET".
 *
 * HEAD is a safe method (§9.2.1): link checkers, previewers and mail scanners send it without the
 * person meaning anything by it. `/authorize` answers a signed-in person's GET with a `Location` that
 * carries a freshly issued code, and `/api/oidc/end-session` signs people out: the GET's header fields
 * cannot be produced without doing exactly that, and a HEAD answer without them would misdescribe the
 * GET. So the resource does not support HEAD, which §9.1 permits per resource.
 *
 * Must be listed before the GET route: the router gives every GET route an implicit HEAD unless a HEAD
 * route for the path is already there.
 */
export function refuseHead(name: string, path: string, allow: readonly HttpMethod[]): RouteDef {
  return defineRoute({
    name,
    method: 'HEAD',
    path,
    auth: 'public',
    database: false,
    errors: 'oauth',
    tags: ['oidc'],
    summary: 'HEAD would change state here: 405 with Allow',
    async handler() {
      return { status: 405, headers: { allow: allow.join(', '), 'cache-control': 'no-store' } };
    },
  });
}
