import type { JWTPayload, JWTVerifyOptions } from 'jose';
import { compileCallbackPattern } from '../../clients/checks/callback-url.check.js';
import type { OidcClient } from '../../clients/oidc-client.js';
import { cookieNames, serializeCookie } from '../../http/cookies.js';
import {
  defineRoute,
  type HttpRequest,
  type HttpResult,
  type QueryValue,
  type RouteDef,
} from '../../http/route.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import { rejectUnstorableCharacters } from '../protocol-parameters.js';
import { ACCESS_TOKEN_TYP } from '../tokens/oidc-tokens.js';
import { refuseHead } from './refuse-head.js';

export const END_SESSION_PATH = '/api/oidc/end-session';
/** The UI's sign-out confirmation page (ARCHITECTURE: pages), relative to the issuer. */
export const LOGOUT_PAGE = '/logout';

export interface EndSessionDeps {
  sessions: Pick<SessionService, 'resolve' | 'revoke'>;
  clients: { findById(id: string): Promise<OidcClient | null> };
  verifier: {
    verify(
      jwt: string,
      options?: JWTVerifyOptions,
    ): Promise<{ payload: JWTPayload; protectedHeader: { typ?: string } }>;
  };
  secure: boolean;
}

/** Advertises RP-Initiated Logout on the browser-facing base, as Pocket ID does. */
export function registerEndSessionDiscovery(discovery: DiscoveryRegistry): void {
  discovery.add('end-session', ({ issuer }) => ({ end_session_endpoint: `${issuer}${END_SESSION_PATH}` }));
}

/**
 * `GET|POST /api/oidc/end-session`: OpenID Connect RP-Initiated Logout 1.0, with Pocket ID's rules
 * (pocket-id-api.md §4.13):
 * - with a valid `id_token_hint` (ours, any age: §2 allows an expired one) the sessions it names and the
 *   browser's own session (when it is the same person's) end, the cookie is cleared, and the browser goes
 *   to the client's matching `post_logout_redirect_uri` (or its first logout URL) with `state`;
 * - without a hint, or when anything does not check out, nothing is signed out here: the browser goes to
 *   the `/logout` page, where the person confirms. An unverified redirect is never followed (§3).
 * Departure from Pocket ID: the confirmation page also gets `client_id`, a verified
 * `post_logout_redirect_uri` and `state`, so it can send the person back to the app after confirming.
 */
export function endSessionRoutes(deps: EndSessionDeps): RouteDef[] {
  const names = cookieNames(deps.secure);

  const handler = async (
    req: HttpRequest<Record<string, string>, Record<string, QueryValue> | undefined>,
    issuer: string,
  ): Promise<HttpResult> => {
    const params = { ...req.query, ...(req.body ?? {}) };
    // As a repeated parameter: 400 invalid_request (protocol-parameters.ts).
    rejectUnstorableCharacters(params);
    const single = (name: string): string | undefined => {
      const v = params[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const state = single('state');
    const requestedUri = single('post_logout_redirect_uri');
    const clientIdParam = single('client_id');
    const hint = single('id_token_hint');
    const page = (client: OidcClient | null): HttpResult => {
      const query = new URLSearchParams();
      if (client) {
        query.set('client_id', client.id);
        const uri = logoutTarget(client, requestedUri);
        if (uri) query.set('post_logout_redirect_uri', uri);
        if (state) query.set('state', state);
      }
      const search = query.size > 0 ? `?${query}` : '';
      return redirect(`${issuer}${LOGOUT_PAGE}${search}`);
    };

    if (!hint) {
      const client = clientIdParam ? await deps.clients.findById(clientIdParam) : null;
      return page(client);
    }
    const claims = await verifyHint(deps, hint, issuer);
    const audience = claims && (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud);
    if (!claims || !audience || !claims.sub || (clientIdParam && clientIdParam !== audience))
      return page(null);
    const client = await deps.clients.findById(audience);
    if (!client) return page(null);

    const cookie = req.cookies[names.accessToken];
    const current = cookie ? await deps.sessions.resolve(cookie) : null;
    // The hint names another person than the one signed in here: sign nobody out without asking.
    if (current && current.user.id !== claims.sub) return page(client);

    // A post_logout_redirect_uri that is not registered fails the request before anything happens,
    // as in Pocket ID (oidc_invalid_callback_url): the person confirms on the page instead.
    const target = logoutTarget(client, requestedUri);
    if (requestedUri && !target) return page(client);

    if (typeof claims.sid === 'string') await deps.sessions.revoke(claims.sid);
    if (current && current.session.id !== claims.sid) await deps.sessions.revoke(current.session.id);
    // Cleared as Pocket ID clears it: empty, without Max-Age.
    const clear = { 'set-cookie': serializeCookie(names.accessToken, '', { secure: deps.secure }) };

    // Signed out: the browser goes back to the app, or to the page saying it is done.
    let location = `${issuer}${LOGOUT_PAGE}`;
    if (target) {
      const url = new URL(target);
      if (state) url.searchParams.set('state', state);
      location = url.toString();
    }
    return { status: 302, headers: { location, ...clear, ...NO_STORE } };
  };

  return [
    // Before the GET route, so that HEAD does not sign anybody out (refuse-head.ts).
    refuseHead('oidc.end-session.head', END_SESSION_PATH, ['GET', 'POST']),
    defineRoute({
      name: 'oidc.end-session',
      method: 'GET',
      path: END_SESSION_PATH,
      auth: 'public',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'RP-Initiated Logout 1.0',
      handler: (req, scope) => handler(req, scope.issuer),
    }),
    defineRoute({
      name: 'oidc.end-session.post',
      method: 'POST',
      path: END_SESSION_PATH,
      auth: 'public',
      body: 'form',
      rejectRepeatedParams: true,
      tags: ['oidc'],
      summary: 'RP-Initiated Logout 1.0 (form post)',
      handler: (req, scope) => handler(req, scope.issuer),
    }),
  ];
}

const NO_STORE = { 'cache-control': 'no-store' };
/** Even a `*` pattern never sends a browser to script or inline content. */
const REFUSED = new Set(['javascript:', 'data:', 'vbscript:']);

function redirect(location: string): HttpResult {
  return { status: 302, headers: { location, ...NO_STORE } };
}

/**
 * The client's logout URL to return to: the requested one when it matches a registered pattern (the
 * request's URL is used unchanged, as for `redirect_uri`), else the first registered one when none was
 * requested, else none.
 */
function logoutTarget(client: OidcClient, requested: string | undefined): string | undefined {
  if (!requested) return client.logoutCallbackUrls.find((u) => !u.includes('*'));
  if (!URL.canParse(requested) || REFUSED.has(new URL(requested).protocol)) return undefined;
  const matches = client.logoutCallbackUrls.some((p) => compileCallbackPattern(p)?.test(requested) ?? false);
  return matches ? requested : undefined;
}

/** Our own ID token, signed by a live key, for this issuer; its expiry does not matter (§2). */
async function verifyHint(deps: EndSessionDeps, hint: string, issuer: string): Promise<JWTPayload | null> {
  try {
    const { payload, protectedHeader } = await deps.verifier.verify(hint, {
      issuer,
      clockTolerance: Number.MAX_SAFE_INTEGER,
    });
    // An access token or a logout token is not an ID token, though we signed it too.
    if (protectedHeader.typ === ACCESS_TOKEN_TYP || protectedHeader.typ === 'logout+jwt') return null;
    return payload;
  } catch {
    return null;
  }
}
