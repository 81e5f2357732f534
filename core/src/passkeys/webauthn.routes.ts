import { ProblemError } from '../errors/problem.errors.js';
import { cookieNames, serializeCookie } from '../http/cookies.js';
import { json } from '../http/render.js';
import type { EventBus } from '../kernel/event-bus.js';
import { clientInfo, defineRoute, type RouteDef } from '../http/route.js';
import type { SessionService } from '../sessions/session.service.js';
import { toUserDto } from '../users/user.dto.js';
import type { PasskeyCredential } from './passkey.js';
import type { PasskeyCredentialRepository } from './passkey.repository.port.js';
import { FRESH_SIGN_IN_MS, type ReauthenticationService } from './reauthentication.js';
import { SignCountRegressionError, WEBAUTHN_TIMEOUT_MS, type WebauthnService } from './webauthn.service.js';

/** Pocket ID's WebauthnCredentialDto, plus `lastUsedAt` (ours). */
export function toCredentialDto(c: PasskeyCredential) {
  return {
    id: c.id,
    name: c.name,
    credentialID: c.credentialId,
    attestationType: c.attestationType ?? '',
    transport: c.transports,
    backupEligible: c.backupEligible,
    backupState: c.backupState,
    createdAt: c.createdAt.toISOString(),
    lastUsedAt: c.lastUsedAt ? c.lastUsedAt.toISOString() : null,
  };
}

const notFound = () =>
  new ProblemError({
    status: 404,
    code: 'not_found',
    detail: 'Passkey not found',
    details: { resource: 'Passkey' },
  });

export interface WebauthnRouteDeps {
  webauthn: WebauthnService;
  sessions: SessionService;
  credentials: PasskeyCredentialRepository;
  events: EventBus;
  reauthentication: ReauthenticationService;
  secure: boolean;
}

/** `/api/webauthn/*` (pocket-id-api.md §4.2). */
export function webauthnRoutes(deps: WebauthnRouteDeps): RouteDef[] {
  const names = cookieNames(deps.secure);
  const challengeCookie = (id: string) =>
    serializeCookie(names.challenge, id, { maxAge: WEBAUTHN_TIMEOUT_MS / 1000, secure: deps.secure });
  const clearChallenge = serializeCookie(names.challenge, '', { maxAge: 0, secure: deps.secure });

  return [
    defineRoute({
      name: 'webauthn.register.start',
      method: 'GET',
      path: '/api/webauthn/register/start',
      auth: 'browser',
      tags: ['webauthn'],
      summary: 'Start adding a passkey to your account',
      async handler(req) {
        const { options, challengeId } = await deps.webauthn.startRegistration(req.auth!.user);
        return json(200, options, { 'set-cookie': challengeCookie(challengeId) });
      },
    }),
    defineRoute({
      name: 'webauthn.register.finish',
      method: 'POST',
      path: '/api/webauthn/register/finish',
      auth: 'browser',
      body: 'json',
      schema: { body: { type: 'object', required: ['id', 'response'] } },
      tags: ['webauthn'],
      summary: 'Finish adding a passkey',
      async handler(req) {
        const user = req.auth!.user;
        const credential = await deps.webauthn.finishRegistration(
          user,
          req.cookies[names.challenge],
          req.body,
        );
        await deps.events.emit('passkey.registered', {
          userId: user.id,
          passkeyId: credential.id,
          credentialId: credential.credentialId,
          name: credential.name,
          client: clientInfo(req),
        });
        return json(200, toCredentialDto(credential), { 'set-cookie': clearChallenge });
      },
    }),
    defineRoute({
      name: 'webauthn.login.start',
      method: 'GET',
      path: '/api/webauthn/login/start',
      auth: 'public',
      tags: ['webauthn'],
      summary: 'Start a passkey sign-in (discoverable credentials, no username)',
      async handler() {
        const { options, challengeId } = await deps.webauthn.startLogin();
        return json(200, options, { 'set-cookie': challengeCookie(challengeId) });
      },
    }),
    defineRoute({
      name: 'webauthn.login.finish',
      method: 'POST',
      path: '/api/webauthn/login/finish',
      auth: 'public',
      rateLimit: 'webauthn-login',
      body: 'json',
      schema: { body: { type: 'object', required: ['id', 'response'] } },
      tags: ['webauthn'],
      summary: 'Finish a passkey sign-in; sets the sign-in cookie',
      async handler(req) {
        const client = clientInfo(req);
        let user;
        try {
          ({ user } = await deps.webauthn.finishLogin(req.cookies[names.challenge], req.body));
        } catch (error) {
          if (error instanceof SignCountRegressionError) {
            await deps.events.emit('passkey.sign_count_regressed', {
              userId: error.credential.userId,
              passkeyId: error.credential.id,
              credentialId: error.credential.credentialId,
              storedCount: error.credential.signCount,
              client,
            });
          }
          throw error;
        }
        const { token, maxAgeSeconds } = await deps.sessions.create(user, ['phr'], client);
        await deps.events.emit('user.signed_in', { userId: user.id, method: 'passkey', client });
        return json(200, toUserDto(user), {
          'set-cookie': [
            serializeCookie(names.accessToken, token, { maxAge: maxAgeSeconds, secure: deps.secure }),
            clearChallenge,
          ],
        });
      },
    }),
    defineRoute({
      name: 'webauthn.reauthenticate',
      method: 'POST',
      path: '/api/webauthn/reauthenticate',
      auth: 'browser',
      rateLimit: 'webauthn-reauthenticate',
      body: 'json',
      tags: ['webauthn'],
      summary: 'Prove presence again: a fresh assertion, or a passkey sign-in under a minute old',
      async handler(req) {
        const user = req.auth!.user;
        const challengeId = req.cookies[names.challenge];
        if (!challengeId)
          throw new ProblemError({
            status: 400,
            code: 'missing_session_id',
            detail: 'The WebAuthn session cookie is missing; start again',
          });
        const body = req.body as { id?: unknown; response?: unknown } | undefined;
        if (body && typeof body === 'object' && typeof body.id === 'string' && body.response) {
          const { user: signer } = await deps.webauthn.finishLogin(challengeId, body);
          if (signer.id !== user.id) {
            throw new ProblemError({
              status: 401,
              code: 'reauthentication_required',
              detail: 'That passkey belongs to another account',
            });
          }
        } else {
          const session = req.auth!.session;
          const fresh =
            session !== undefined &&
            session.amr.includes('phr') &&
            Date.now() - session.authTime.getTime() < FRESH_SIGN_IN_MS;
          if (!fresh) {
            throw new ProblemError({
              status: 401,
              code: 'reauthentication_required',
              detail: 'Sign in with your passkey again',
            });
          }
        }
        const { token, maxAgeSeconds } = await deps.reauthentication.issue(user.id);
        return {
          status: 204,
          headers: {
            'set-cookie': [
              serializeCookie(names.reauthentication, token, { maxAge: maxAgeSeconds, secure: deps.secure }),
              clearChallenge,
            ],
          },
        };
      },
    }),
    defineRoute({
      name: 'webauthn.logout',
      method: 'POST',
      path: '/api/webauthn/logout',
      auth: 'user',
      apiKey: false,
      tags: ['webauthn'],
      summary: 'Sign out: revokes the session and clears the cookie',
      async handler(req) {
        if (req.auth?.session) await deps.sessions.revoke(req.auth.session.id);
        // Cleared as Pocket ID clears it: empty, without Max-Age.
        return {
          status: 204,
          headers: { 'set-cookie': serializeCookie(names.accessToken, '', { secure: deps.secure }) },
        };
      },
    }),
    defineRoute({
      name: 'webauthn.credentials.list',
      method: 'GET',
      path: '/api/webauthn/credentials',
      auth: 'user',
      tags: ['webauthn'],
      summary: 'Your passkeys',
      async handler(req) {
        const list = await deps.credentials.listByUser(req.auth!.user.id);
        return json(200, list.map(toCredentialDto));
      },
    }),
    defineRoute<{ id: string }, { name: string }>({
      name: 'webauthn.credentials.rename',
      method: 'PATCH',
      path: '/api/webauthn/credentials/:id',
      auth: 'user',
      body: 'json',
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 50 } },
        },
      },
      tags: ['webauthn'],
      summary: 'Rename one of your passkeys',
      async handler(req) {
        const renamed = await deps.credentials.rename(
          req.params.id,
          req.auth!.user.id,
          req.body.name.normalize('NFC'),
        );
        if (!renamed) throw notFound();
        return json(200, toCredentialDto(renamed));
      },
    }),
    defineRoute<{ id: string }>({
      name: 'webauthn.credentials.delete',
      method: 'DELETE',
      path: '/api/webauthn/credentials/:id',
      auth: 'user',
      tags: ['webauthn'],
      summary: 'Delete one of your passkeys',
      async handler(req) {
        const user = req.auth!.user;
        const credential = await deps.credentials.findForUser(req.params.id, user.id);
        if (!credential || !(await deps.credentials.delete(credential.id, user.id))) throw notFound();
        await deps.events.emit('passkey.removed', {
          userId: user.id,
          passkeyId: credential.id,
          credentialId: credential.credentialId,
          name: credential.name,
          actorUserId: user.id,
          client: clientInfo(req),
        });
        return { status: 204 };
      },
    }),
  ];
}
