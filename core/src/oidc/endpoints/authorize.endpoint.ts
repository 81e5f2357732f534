import { cookieNames } from '../../http/cookies.js';
import {
  clientInfo,
  defineRoute,
  type HttpRequest,
  type HttpResult,
  type QueryValue,
  type RequestScope,
  type RouteDef,
} from '../../http/route.js';
import type { SessionService } from '../../sessions/session.service.js';
import {
  AuthorizeError,
  fail,
  RESPONSE_MODES,
  type AuthorizationContext,
} from '../authorization/authorization-request.js';
import { authorizationResponse } from '../authorization/authorization-response.js';
import type { AuthorizationService, SignedIn } from '../authorization/authorization.service.js';
import { PROMPT_VALUES } from '../authorization/checks/prompt.check.js';
import type { DiscoveryRegistry } from '../discovery/discovery-registry.js';
import { hasUnstorableCharacters, UNSTORABLE_DESCRIPTION } from '../protocol-parameters.js';
import { refuseHead } from './refuse-head.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_ALLOWED = 'You are not allowed to access this service';
/** Parameters that decide where an error may go: repeated, nothing can be redirected. */
const NOT_REDIRECTED_WHEN_REPEATED = new Set([
  'client_id',
  'redirect_uri',
  'request',
  'request_uri',
  'interaction',
]);

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2), GET and form POST.
 *
 * RFC 6749 §4.1.2.1: until `client_id` and `redirect_uri` are verified, errors go to the
 * `/interaction/error` page; after that they go to the client with `state` and `iss` (RFC 9207), in the
 * request's response mode (`query`, `fragment`, `form_post`). A signed-in person who needs no step gets
 * a code at once; otherwise the request waits as an interaction and the browser goes to
 * `/interaction?interaction=<id>` (Pocket ID's page). When the page has completed every step it sends
 * the browser to `/authorize?interaction=<id>`, which issues the code once, in the response mode the
 * request asked for (as Pocket ID does: a `form_post` answer can only come from a page load).
 */
export function authorizeRoutes(deps: {
  authorization: AuthorizationService;
  sessions: SessionService;
  secure: boolean;
}): RouteDef[] {
  const { authorization } = deps;
  const names = cookieNames(deps.secure);

  const signedInFrom = async (req: HttpRequest): Promise<SignedIn | null> => {
    const token = req.cookies[names.accessToken];
    const resolved = token ? await deps.sessions.resolve(token) : null;
    return resolved && !resolved.user.disabled ? resolved : null;
  };

  const respond = (ctx: AuthorizationContext, params: Record<string, string | null>) =>
    authorizationResponse(ctx.redirectUri!, ctx.responseMode, params);

  const handle = async (
    params: Record<string, QueryValue>,
    req: HttpRequest,
    scope: RequestScope,
  ): Promise<HttpResult> => {
    if (hasUnstorableCharacters(params)) return errorPage('invalid_request', UNSTORABLE_DESCRIPTION);
    // RFC 6749 §3.1: a repeated parameter is invalid_request. Repeated client_id, redirect_uri or the
    // parameters that may carry them leave the redirect URI unverified: the error page says so. Any
    // other repeat is left out of the parameters and redirected once the redirect URI is verified
    // (§4.1.2.1), so a repeated `state` is not echoed and a repeated `response_mode` is not used.
    const single: Record<string, string> = {};
    const repeated: string[] = [];
    for (const [k, v] of Object.entries(params)) {
      if (typeof v === 'string') single[k] = v;
      else repeated.push(k);
    }
    const unverifiable = repeated.find((k) => NOT_REDIRECTED_WHEN_REPEATED.has(k));
    if (unverifiable !== undefined) {
      return errorPage('invalid_request', `The '${unverifiable}' parameter is included more than once`);
    }
    try {
      if (single.interaction !== undefined) return await resume(single.interaction, req, scope);
      const ctx = await authorization.validate(single, {
        issuer: scope.issuer,
        source: 'authorize',
        repeated,
      });
      return await decide(ctx, req, scope);
    } catch (error) {
      if (!(error instanceof AuthorizeError)) throw error;
      if (!error.redirect) return errorPage(error.error, error.message);
      const { redirectUri, responseMode, state } = error.redirect;
      return authorizationResponse(redirectUri, responseMode, {
        error: error.error,
        error_description: error.message,
        state,
        iss: scope.issuer,
      });
    }
  };

  const decide = async (ctx: AuthorizationContext, req: HttpRequest, scope: RequestScope) => {
    const signedIn = await signedInFrom(req);
    if (signedIn && !(await authorization.isAllowed(ctx.client!, signedIn.user.id))) {
      // prompt=none must not show a page (OIDC Core §3.1.2.1): the client hears it instead.
      if (ctx.prompt.has('none')) fail(ctx, 'access_denied', NOT_ALLOWED);
      return errorPage('access_denied', NOT_ALLOWED);
    }
    const steps = await authorization.requiredSteps(ctx, signedIn);
    if (steps.length === 0 && signedIn) {
      return respond(
        ctx,
        await authorization.authorize(ctx, signedIn, {
          issuer: scope.issuer,
          reauthenticatedAt: null,
          client: clientInfo(req),
        }),
      );
    }
    if (ctx.prompt.has('none')) {
      const { error, description } = authorization.promptNoneError(ctx, steps);
      fail(ctx, error, description);
    }
    const interaction = await authorization.createInteraction(ctx, steps, signedIn);
    return found(`/interaction?interaction=${encodeURIComponent(interaction.id)}`);
  };

  /**
   * `/authorize?interaction=<id>`: the stored request replaces the query. Only the person the steps
   * were completed by gets the code, once; anyone else, or a visit before the steps are done, goes
   * back to the interaction page.
   */
  const resume = async (id: string, req: HttpRequest, scope: RequestScope) => {
    const interaction = UUID.test(id) ? await authorization.findInteraction(id) : null;
    if (!interaction) {
      return errorPage('invalid_request', 'This sign-in request has expired or was already used');
    }
    const ctx = await authorization.validate(interaction.parameters, {
      issuer: scope.issuer,
      source: 'stored',
    });
    const signedIn = await signedInFrom(req);
    const done = interaction.requiredSteps.every((s) => interaction.completedSteps.includes(s));
    if (!signedIn || signedIn.user.id !== interaction.userId || !done) {
      return found(`/interaction?interaction=${encodeURIComponent(interaction.id)}`);
    }
    if (!(await authorization.isAllowed(ctx.client!, signedIn.user.id))) {
      return errorPage('access_denied', NOT_ALLOWED);
    }
    // Single use: of two concurrent visits only the one that deletes the interaction issues a code.
    if (!(await authorization.consumeInteraction(interaction.id))) {
      return errorPage('invalid_request', 'This sign-in request has expired or was already used');
    }
    return respond(
      ctx,
      await authorization.authorize(ctx, signedIn, {
        issuer: scope.issuer,
        reauthenticatedAt: interaction.reauthenticatedAt,
        client: clientInfo(req),
      }),
    );
  };

  const common = {
    path: '/authorize',
    auth: 'public' as const,
    errors: 'oauth' as const,
    // Repeated parameters are refused by `handle`, which knows whether the error may be redirected.
    rejectRepeatedParams: false,
    tags: ['oidc'],
    summary: 'Authorization endpoint (code flow)',
  };
  return [
    // Before the GET route, so that HEAD does not run it (refuse-head.ts).
    refuseHead('oidc.authorize.head', '/authorize', ['GET', 'POST']),
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

function found(location: string): HttpResult {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

function errorPage(error: string, description: string): HttpResult {
  const query = new URLSearchParams({ error, error_description: description });
  return found(`/interaction/error?${query.toString()}`);
}

/** What the authorization endpoint adds to the discovery document. */
export function registerAuthorizeDiscovery(registry: DiscoveryRegistry): void {
  registry.add('authorize', ({ issuer }) => ({
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    response_modes_supported: [...RESPONSE_MODES],
    code_challenge_methods_supported: ['S256', 'plain'],
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: [...PROMPT_VALUES],
    // Unsigned request objects only, as Pocket ID; request_uri only from our own PAR endpoint.
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: ['none'],
    request_uri_parameter_supported: false,
    // OIDC Core §5.5 (claims-request.ts): `userinfo` and `id_token` members.
    claims_parameter_supported: true,
  }));
}
