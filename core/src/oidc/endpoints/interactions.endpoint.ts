import { toOidcClientMetaDataDto } from '../../clients/oidc-client.dto.js';
import type { OidcClient } from '../../clients/oidc-client.js';
import { ProblemError, problems } from '../../errors/problem.errors.js';
import { json } from '../../http/render.js';
import { defineRoute, type RouteDef } from '../../http/route.js';
import type { Interaction } from '../authorization/authorization-code.js';
import { AuthorizeError, type AuthorizationContext } from '../authorization/authorization-request.js';
import type { AuthorizationService } from '../authorization/authorization.service.js';

const interactionNotFound = () =>
  problems.notFound('OIDC interaction not found', { resource: 'OIDC interaction' });
const accessDenied = () =>
  new ProblemError({
    status: 403,
    code: 'oidc_access_denied',
    detail: "You're not allowed to access this service",
  });

/** pocket-id-api.md §4.12: what the interaction page shows. */
function view(interaction: Interaction, client: OidcClient, completed: string[]) {
  const currentStep = interaction.requiredSteps.find((s) => !completed.includes(s));
  return {
    id: interaction.id,
    client: toOidcClientMetaDataDto(client),
    scopes: interaction.scopes,
    // Only custom API scopes are described (Pocket ID); there are none yet.
    scopeInfo: [] as { key: string; name: string; description?: string }[],
    ...(currentStep ? { currentStep } : {}),
    requiredSteps: interaction.requiredSteps,
    completedSteps: completed,
  };
}

/**
 * The interaction API behind `/interaction?interaction=<id>` (pocket-id-api.md §4.12). Ours departs in
 * one place: when the last step is done, `redirectUrl` is the client's redirect URI with the code
 * (issued here, once: the interaction is deleted atomically), not `/authorize?interaction=<id>`.
 */
export function interactionRoutes(deps: { authorization: AuthorizationService }): RouteDef[] {
  const { authorization } = deps;

  const load = async (id: string): Promise<{ interaction: Interaction; ctx: AuthorizationContext }> => {
    const interaction = await authorization.findInteraction(id);
    if (!interaction) throw interactionNotFound();
    try {
      return { interaction, ctx: await authorization.validate(interaction.parameters) };
    } catch (error) {
      // The client or its callback URLs changed since the request was made.
      if (error instanceof AuthorizeError) throw interactionNotFound();
      throw error;
    }
  };

  return [
    defineRoute<{ id: string }>({
      name: 'oidc.interactions.get',
      method: 'GET',
      path: '/api/oidc/interactions/:id',
      auth: 'public',
      tags: ['oidc'],
      summary: 'The authorization request waiting for the person',
      async handler(req) {
        const { interaction, ctx } = await load(req.params.id);
        return json(200, view(interaction, ctx.client!, interaction.completedSteps));
      },
    }),
    defineRoute<{ id: string }, { step: string }>({
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
            step: { type: 'string', enum: ['authenticate', 'select_account', 'reauthenticate', 'consent'] },
          },
        },
      },
      tags: ['oidc'],
      summary: 'Completes one step of an authorization interaction',
      async handler(req, scope) {
        const { user, session } = req.auth!;
        if (!session) throw problems.notSignedIn();
        const { interaction, ctx } = await load(req.params.id);
        const client = ctx.client!;
        if (!(await authorization.isAllowed(client, user.id))) throw accessDenied();

        let completed = new Set(interaction.completedSteps);
        if (interaction.userId !== user.id) {
          // Bound to nobody (or someone else): the caller takes it over, and their consent counts.
          completed = new Set();
          if (!(await authorization.needsConsent(ctx, user.id))) completed.add('consent');
        }
        const remaining = () => interaction.requiredSteps.filter((s) => !completed.has(s));
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
          if (step === 'authenticate') {
            const since = ctx.prompt.has('login') ? interaction.createdAt : null;
            if (!authorization.isFresh(ctx, session, since)) {
              throw new ProblemError({
                status: 401,
                code: 'reauthentication_required',
                detail: 'Sign in again to continue',
              });
            }
          } else if (step === 'consent') {
            await authorization.grantConsent(user.id, client.id, ctx.scopes);
          }
          completed.add(step);
        }
        const completedSteps = interaction.requiredSteps.filter((s) => completed.has(s));
        if (remaining().length > 0) {
          await authorization.updateInteraction(interaction.id, {
            userId: user.id,
            sessionId: session.id,
            completedSteps,
          });
          const updated = { ...interaction, userId: user.id, sessionId: session.id, completedSteps };
          return json(200, { interaction: view(updated, client, completedSteps) });
        }
        // Single use: of two concurrent completions only the one that deletes it issues a code.
        if (!(await authorization.consumeInteraction(interaction.id))) throw interactionNotFound();
        return json(200, { redirectUrl: await authorization.issueCode(ctx, user, session, scope.issuer) });
      },
    }),
  ];
}
