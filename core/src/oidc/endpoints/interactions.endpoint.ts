import { toOidcClientMetaDataDto } from '../../clients/oidc-client.dto.js';
import { ProblemError, problems } from '../../errors/problem.errors.js';
import { cookieNames, serializeCookie } from '../../http/cookies.js';
import { json } from '../../http/render.js';
import { defineRoute, type HttpRequest, type RouteDef } from '../../http/route.js';
import type { ReauthenticationService } from '../../passkeys/reauthentication.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { Session } from '../../sessions/session.js';
import type { User } from '../../users/user.js';
import type { Interaction } from '../authorization/authorization-code.js';
import { AuthorizeError, type AuthorizationContext } from '../authorization/authorization-request.js';
import { authorizationResponse } from '../authorization/authorization-response.js';
import {
  INTERACTION_STEPS,
  inStepOrder,
  type AuthorizationService,
  type InteractionStep,
} from '../authorization/authorization.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const interactionNotFound = () =>
  problems.notFound('OIDC interaction not found', { resource: 'OIDC interaction' });
const accessDenied = () =>
  new ProblemError({
    status: 403,
    code: 'oidc_access_denied',
    detail: "You're not allowed to access this service",
  });

/** Who the page may say is signed in: enough to show "continue as …" and a picture. */
function signedInUserView(user: User) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    profilePictureURL: `/api/users/${user.id}/profile-picture.png`,
  };
}

/**
 * pocket-id-api.md §4.12: what the interaction page shows. Ours adds `completedSteps`, the client's
 * logo URLs (null without a logo), `uiLocales` (the request's `ui_locales`, so the page can pick a
 * language) and `signedInUser` (whoever the caller's cookie signs in, for `select_account`; null for
 * nobody).
 */
function view(
  interaction: Pick<Interaction, 'id' | 'scopes'>,
  ctx: AuthorizationContext,
  steps: { required: readonly string[]; completed: readonly string[] },
  signedIn: User | null,
) {
  const client = ctx.client!;
  const path = `/api/oidc/clients/${encodeURIComponent(client.id)}/logo`;
  const currentStep = steps.required.find((s) => !steps.completed.includes(s));
  return {
    id: interaction.id,
    client: toOidcClientMetaDataDto(client),
    logoURL: client.logoType ? path : null,
    darkLogoURL: client.darkLogoType ? `${path}?light=false` : null,
    scopes: interaction.scopes,
    // Only custom API scopes are described (Pocket ID); there are none yet.
    scopeInfo: [] as { key: string; name: string; description?: string }[],
    ...(currentStep ? { currentStep } : {}),
    requiredSteps: steps.required,
    completedSteps: steps.completed,
    uiLocales: ctx.uiLocales,
    signedInUser: signedIn ? signedInUserView(signedIn) : null,
  };
}

/** What `GET /api/oidc/interactions/:id` answers (and `complete`, while steps remain). */
export type InteractionDto = ReturnType<typeof view>;

const userChanged = () =>
  new ProblemError({
    status: 409,
    code: 'interaction_user_changed',
    detail: 'Someone else is signed in now; nothing was completed',
  });

const GONE = new URLSearchParams({
  error: 'invalid_request',
  error_description: 'This sign-in request has expired or was already used',
});

/**
 * The interaction API behind `/interaction?interaction=<id>` (pocket-id-api.md §4.12). Steps are
 * completed in order; when none remains, `redirectUrl` is `/authorize?interaction=<id>`, where the
 * authorization endpoint issues the code in the request's response mode.
 *
 * - `authenticate`: the caller is signed in (the route takes a session cookie only).
 * - `select_account`: the caller confirms the account their cookie signs in; to switch, the page signs
 *   in as someone else first and completes the step as them.
 * - `reauthenticate`: spends the re-authentication token cookie that `POST /api/webauthn/reauthenticate`
 *   set (a fresh passkey assertion, or a passkey sign-in under a minute old).
 * - `consent`: the person agrees; the consent is remembered when the code is issued.
 *
 * An interaction bound to nobody, or to someone else, is taken over by the caller, and the steps it
 * needs are worked out again for them (their remembered consent counts; a stale sign-in adds
 * `reauthenticate`).
 *
 * Beyond Pocket ID (whose page can only go back in history): `GET …/deny` refuses the request, and the
 * client hears `access_denied` (RFC 6749 §4.1.2.1). It is a page load, not a JSON call, because only a
 * navigation can deliver a `form_post` answer, and a form post from the page could not follow the
 * redirect to the client under its CSP (`form-action 'self'` applies to redirects too).
 */
export function interactionRoutes(deps: {
  authorization: AuthorizationService;
  sessions: SessionService;
  reauthentication: Pick<ReauthenticationService, 'consume'>;
  secure: boolean;
}): RouteDef[] {
  const { authorization } = deps;
  const names = cookieNames(deps.secure);

  const load = async (
    id: string,
    issuer: string,
  ): Promise<{ interaction: Interaction; ctx: AuthorizationContext }> => {
    const interaction = UUID.test(id) ? await authorization.findInteraction(id) : null;
    if (!interaction) throw interactionNotFound();
    try {
      return {
        interaction,
        ctx: await authorization.validate(interaction.parameters, { issuer, source: 'stored' }),
      };
    } catch (error) {
      // The client or its callback URLs changed since the request was made.
      if (error instanceof AuthorizeError) throw interactionNotFound();
      throw error;
    }
  };

  const cookieSignIn = async (req: HttpRequest): Promise<{ user: User; session: Session } | null> => {
    const token = req.cookies[names.accessToken];
    const resolved = token ? await deps.sessions.resolve(token) : null;
    return resolved && !resolved.user.disabled ? resolved : null;
  };

  /**
   * The steps as they stand for `signedIn`. An interaction bound to nobody, or to someone else, is
   * taken over: what was done was done by someone else. Steps are only ever added, so the step the page
   * shows stays a step; consent this person already gave counts.
   */
  const stepsFor = async (
    interaction: Interaction,
    ctx: AuthorizationContext,
    signedIn: { user: User; session: Session },
  ): Promise<{ required: InteractionStep[]; completed: Set<string>; reauthenticatedAt: Date | null }> => {
    const required = inStepOrder(interaction.requiredSteps);
    if (interaction.userId === signedIn.user.id) {
      return {
        required,
        completed: new Set(interaction.completedSteps),
        reauthenticatedAt: interaction.reauthenticatedAt,
      };
    }
    const forCaller = await authorization.requiredSteps(ctx, signedIn, {
      since: interaction.createdAt,
      accountChosen: required.includes('authenticate'),
    });
    return {
      required: inStepOrder([...required, ...forCaller]),
      completed: new Set(forCaller.includes('consent') ? [] : ['consent']),
      reauthenticatedAt: null,
    };
  };

  return [
    defineRoute<{ id: string }>({
      name: 'oidc.interactions.get',
      method: 'GET',
      path: '/api/oidc/interactions/:id',
      auth: 'public',
      tags: ['oidc'],
      summary: 'The authorization request waiting for the person',
      async handler(req, scope) {
        const { interaction, ctx } = await load(req.params.id, scope.issuer);
        const signedIn = await cookieSignIn(req);
        // For someone other than the person it was for, the steps a takeover by them would need, so the
        // page shows the step `complete` will expect. Nothing is written until they complete one.
        if (signedIn && interaction.userId !== null && interaction.userId !== signedIn.user.id) {
          const { required, completed } = await stepsFor(interaction, ctx, signedIn);
          const steps = { required, completed: required.filter((s) => completed.has(s)) };
          return json(200, view(interaction, ctx, steps, signedIn.user));
        }
        const steps = { required: interaction.requiredSteps, completed: interaction.completedSteps };
        return json(200, view(interaction, ctx, steps, signedIn?.user ?? null));
      },
    }),
    defineRoute<{ id: string }, { step: InteractionStep; userId?: string }>({
      name: 'oidc.interactions.complete',
      method: 'POST',
      path: '/api/oidc/interactions/:id/complete',
      auth: 'browser',
      body: 'json',
      schema: {
        body: {
          type: 'object',
          required: ['step'],
          additionalProperties: false,
          properties: {
            step: { type: 'string', enum: [...INTERACTION_STEPS] },
            // Ours: the person the page completes the step for (below).
            userId: { type: 'string', minLength: 1, maxLength: 255 },
          },
        },
      },
      tags: ['oidc'],
      summary: 'Completes one step of an authorization interaction',
      async handler(req, scope) {
        const { user, session } = req.auth!;
        if (!session) throw problems.notSignedIn();
        // The page says whom it showed the step to: if another tab has since signed someone else in,
        // this click must not become their consent (nor their account choice).
        if (req.body.userId !== undefined && req.body.userId !== user.id) throw userChanged();
        const { interaction, ctx } = await load(req.params.id, scope.issuer);
        if (!(await authorization.isAllowed(ctx.client!, user.id))) throw accessDenied();

        const { required, completed, ...taken } = await stepsFor(interaction, ctx, { user, session });
        let reauthenticatedAt = taken.reauthenticatedAt;
        const remaining = () => required.filter((s) => !completed.has(s));
        const headers: Record<string, string> = {};
        const next = remaining()[0];
        if (next !== undefined) {
          const { step } = req.body;
          if (step !== next) {
            throw problems.validationFailed([
              {
                field: 'step',
                code: 'invalid',
                message: `expected interaction step ${next} but got ${step}`,
              },
            ]);
          }
          if (step === 'reauthenticate') {
            const token = req.cookies[names.reauthentication];
            if (!token) {
              throw problems.validationFailed([
                { field: 'reauthenticationToken', code: 'required', message: 'is required' },
              ]);
            }
            if (!(await deps.reauthentication.consume(token, user.id))) {
              throw new ProblemError({
                status: 401,
                code: 'reauthentication_required',
                detail: 'Sign in with your passkey again',
              });
            }
            reauthenticatedAt = authorization.now();
            headers['set-cookie'] = serializeCookie(names.reauthentication, '', {
              maxAge: 0,
              secure: deps.secure,
            });
          }
          completed.add(step);
        }
        const completedSteps = required.filter((s) => completed.has(s));
        await authorization.updateInteraction(interaction.id, {
          userId: user.id,
          sessionId: session.id,
          requiredSteps: required,
          completedSteps,
          reauthenticatedAt,
        });
        if (remaining().length > 0) {
          const steps = { required, completed: completedSteps };
          return json(200, { interaction: view(interaction, ctx, steps, user) }, headers);
        }
        return json(
          200,
          { redirectUrl: `/authorize?interaction=${encodeURIComponent(interaction.id)}` },
          headers,
        );
      },
    }),
    defineRoute<{ id: string }>({
      name: 'oidc.interactions.deny',
      method: 'GET',
      path: '/api/oidc/interactions/:id/deny',
      // Whoever holds the interaction may refuse it, also before signing in: it only ever cancels.
      auth: 'public',
      tags: ['oidc'],
      summary: 'Refuses an authorization interaction: the browser goes back to the client with access_denied',
      async handler(req, scope) {
        const id = req.params.id;
        const denied = UUID.test(id) ? await authorization.deny(id, { issuer: scope.issuer }) : null;
        if (!denied) {
          return {
            status: 302,
            headers: { location: `/interaction/error?${GONE}`, 'cache-control': 'no-store' },
          };
        }
        return authorizationResponse(denied.redirectUri, denied.responseMode, {
          error: 'access_denied',
          error_description: 'The user refused the authorization request',
          state: denied.state,
          iss: scope.issuer,
        });
      },
    }),
  ];
}
