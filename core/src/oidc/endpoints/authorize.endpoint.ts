import { cookieNames } from '../../http/cookies.js';
import {
  defineRoute,
  type HttpRequest,
  type QueryValue,
  type RequestScope,
  type RouteDef,
} from '../../http/route.js';
import type { SessionService } from '../../sessions/session.service.js';
import { AuthorizeError, fail, type AuthorizationContext } from '../authorization/authorization-request.js';
import {
  redirectTo,
  type AuthorizationService,
  type InteractionStep,
} from '../authorization/authorization.service.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2), GET and form POST. RFC 6749 §4.1.2.1:
 * until `client_id` and `redirect_uri` are verified, errors go to the `/interaction/error` page;
 * after that they are redirected to the client with `state` and `iss` (RFC 9207). A signed-in person
 * who needs no step gets a code at once; otherwise the request waits as an interaction and the
 * browser goes to `/interaction?interaction=<id>` (Pocket ID's page).
 */
export function authorizeRoutes(deps: {
  authorization: AuthorizationService;
  sessions: SessionService;
  secure: boolean;
}): RouteDef[] {
  const names = cookieNames(deps.secure);

  const handle = async (params: Record<string, QueryValue>, req: HttpRequest, scope: RequestScope) => {
    const single: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') single[k] = v;
    try {
      return await decide(await deps.authorization.validate(single), req, scope);
    } catch (error) {
      if (!(error instanceof AuthorizeError)) throw error;
      if (!error.redirect) return errorPage(error.error, error.message);
      return found(
        redirectTo(error.redirect.redirectUri, {
          error: error.error,
          error_description: error.message,
          state: error.redirect.state,
          iss: scope.issuer,
        }),
      );
    }
  };

  const decide = async (ctx: AuthorizationContext, req: HttpRequest, scope: RequestScope) => {
    const token = req.cookies[names.accessToken];
    const resolved = token ? await deps.sessions.resolve(token) : null;
    const signedIn = resolved && !resolved.user.disabled ? resolved : null;
    const steps: InteractionStep[] = [];
    if (
      !signedIn ||
      !deps.authorization.isFresh(ctx, signedIn.session, ctx.prompt.has('login') ? new Date() : null)
    ) {
      steps.push('authenticate');
    }
    if (signedIn && !(await deps.authorization.isAllowed(ctx.client!, signedIn.user.id))) {
      return errorPage('access_denied', 'You are not allowed to access this service');
    }
    // Without a known person consent is decided once they sign in; ask for it unless skipped.
    const needsConsent = signedIn
      ? await deps.authorization.needsConsent(ctx, signedIn.user.id)
      : ctx.prompt.has('consent') || !ctx.client!.skipConsent;
    if (needsConsent) steps.push('consent');
    if (steps.length === 0 && signedIn) {
      return found(await deps.authorization.issueCode(ctx, signedIn.user, signedIn.session, scope.issuer));
    }
    if (ctx.prompt.has('none')) {
      const error = steps.includes('authenticate') ? 'login_required' : 'consent_required';
      fail(ctx, error, error === 'login_required' ? 'The user is not signed in' : 'Consent is required');
    }
    const interaction = await deps.authorization.createInteraction(ctx, steps, signedIn);
    return found(`/interaction?interaction=${encodeURIComponent(interaction.id)}`);
  };

  const common = {
    path: '/authorize',
    auth: 'public' as const,
    errors: 'oauth' as const,
    rejectRepeatedParams: true,
    tags: ['oidc'],
    summary: 'Authorization endpoint (code flow)',
  };
  return [
    defineRoute({
      ...common,
      name: 'oidc.authorize',
      method: 'GET',
      handler: (req, scope) => handle(req.query, req, scope),
    }),
    defineRoute<Record<string, string>, Record<string, QueryValue>>({
      ...common,
      name: 'oidc.authorize.post',
      method: 'POST',
      body: 'form',
      handler: (req, scope) => handle(req.body, req, scope),
    }),
  ];
}

function found(location: string) {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

function errorPage(error: string, description: string) {
  const query = new URLSearchParams({ error, error_description: description });
  return found(`/interaction/error?${query.toString()}`);
}

/** What the authorization endpoint adds to the discovery document. */
export function registerAuthorizeDiscovery(registry: DiscoveryRegistry): void {
  registry.add('authorize', ({ issuer }) => ({
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256', 'plain'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  }));
}
