import { ProblemError, problems } from '../errors/problem.errors.js';
import { cookieNames } from '../http/cookies.js';
import type { AuthContext, HttpRequest, RouteDef } from '../http/route.js';
import type { SessionService } from '../sessions/session.service.js';
import type { User } from '../users/user.js';

/**
 * Resolves who is calling a non-public route, in Pocket ID's order (pocket-id-api.md §1.5): the
 * sign-in cookie; when that cookie is absent, `Authorization: <scheme> <token>`; a present but empty
 * cookie blocks the header fallback. Without a valid session, `X-API-Key` on routes that allow keys
 * (an unknown or expired key is 401 `not_signed_in`; any key on a browser route is 403).
 */
export function createAuthenticator(deps: {
  sessions: SessionService;
  secure: boolean;
  /** Resolves an `X-API-Key` to its owner (null when unknown or expired). */
  apiKeys?: { authenticate(secret: string): Promise<User | null> };
}) {
  const names = cookieNames(deps.secure);

  return async function authenticate(route: RouteDef, req: HttpRequest): Promise<AuthContext> {
    if (route.auth === 'client' || route.auth === 'bearer') {
      throw new Error(`Route ${route.name}: '${route.auth}' routes authenticate inside their endpoint`);
    }
    const cookie = req.cookies[names.accessToken];
    let token: string | undefined = cookie;
    let via: AuthContext['via'] = 'cookie';
    if (cookie === undefined) {
      const header = req.headers.authorization;
      const space = header?.indexOf(' ') ?? -1;
      if (header && space > 0) {
        token = header.slice(space + 1).trim();
        via = 'header';
      }
    }
    let resolved: { user: User; session?: AuthContext['session'] } | null = token
      ? await deps.sessions.resolve(token)
      : null;
    if (!resolved) {
      const apiKey = req.headers['x-api-key'];
      if (apiKey !== undefined && (route.auth === 'browser' || route.apiKey === false)) {
        throw new ProblemError({
          status: 403,
          code: 'api_key_auth_not_allowed',
          detail: 'API keys cannot be used here',
        });
      }
      const owner =
        typeof apiKey === 'string' && deps.apiKeys ? await deps.apiKeys.authenticate(apiKey) : null;
      if (!owner) throw problems.notSignedIn();
      resolved = { user: owner };
      via = 'apiKey';
    }
    if (resolved.user.disabled) {
      throw new ProblemError({ status: 403, code: 'user_disabled', detail: 'Your account is disabled' });
    }
    if (route.auth === 'admin' && !resolved.user.isAdmin) {
      throw new ProblemError({ status: 403, code: 'forbidden', detail: 'You are not allowed to do this' });
    }
    return resolved.session
      ? { user: resolved.user, session: resolved.session, via }
      : { user: resolved.user, via };
  };
}
