import { randomUUID } from 'node:crypto';
import type { AppSettingsProvider } from '../app-config/app-settings.js';
import { ProblemError, problems } from '../errors/problem.errors.js';
import { cookieNames, serializeCookie } from '../http/cookies.js';
import { json } from '../http/render.js';
import { clientInfo, defineRoute, type RouteDef } from '../http/route.js';
import type { EventBus } from '../kernel/event-bus.js';
import type { SessionService } from '../sessions/session.service.js';
import { toUserDto } from '../users/user.dto.js';
import { UniqueViolationError, type UserRepository } from '../users/user.repository.port.js';
import { signUpBodySchema, type SignUpBody } from '../users/user.schema.js';

/**
 * First-admin setup (pocket-id-api.md §4.1): open only while no user exists. The admin gets a session
 * (amr `otp`, as in Pocket ID) so they can register their first passkey right away.
 */
export function setupRoutes(deps: {
  users: UserRepository;
  sessions: SessionService;
  settings: AppSettingsProvider;
  events: EventBus;
  secure: boolean;
}): RouteDef[] {
  const names = cookieNames(deps.secure);
  const unavailable = () =>
    new ProblemError({ status: 404, code: 'setup_not_available', detail: 'Not found' });
  return [
    defineRoute({
      name: 'signup.setup.status',
      method: 'GET',
      path: '/api/signup/setup',
      auth: 'public',
      tags: ['signup'],
      summary: '204 while the first admin can still be created',
      async handler() {
        if ((await deps.users.count()) > 0) throw unavailable();
        return { status: 204 };
      },
    }),
    defineRoute<Record<string, string>, SignUpBody>({
      name: 'signup.setup',
      method: 'POST',
      path: '/api/signup/setup',
      auth: 'public',
      body: 'json',
      schema: { body: signUpBodySchema },
      tags: ['signup'],
      summary: 'Create the first admin; answers with a sign-in cookie',
      async handler(req) {
        const settings = await deps.settings.get();
        const body = req.body;
        const email = body.email?.trim().normalize('NFC') || null;
        if (settings.requireUserEmail && !email) {
          throw problems.validationFailed([{ field: 'email', code: 'required', message: 'is required' }]);
        }
        const firstName = (body.firstName ?? '').trim().normalize('NFC');
        const lastName = body.lastName?.trim().normalize('NFC') || null;
        const username = body.username.normalize('NFC');
        let user;
        try {
          user = await deps.users.insertFirstUser({
            id: randomUUID(),
            username,
            email,
            emailVerified: false,
            firstName,
            lastName,
            displayName: [firstName, lastName].filter(Boolean).join(' ') || username,
            isAdmin: true,
            locale: null,
            disabled: false,
          });
        } catch (error) {
          if (error instanceof UniqueViolationError) {
            throw new ProblemError({
              status: 409,
              code: 'setup_already_completed',
              detail: 'Setup already completed',
            });
          }
          throw error;
        }
        if (!user)
          throw new ProblemError({
            status: 409,
            code: 'setup_already_completed',
            detail: 'Setup already completed',
          });
        const client = clientInfo(req);
        const { token, maxAgeSeconds } = await deps.sessions.create(user, ['otp'], client);
        // Pocket ID writes no audit entry for setup; the event lets the audit log decide.
        await deps.events.emit('user.created', { userId: user.id, via: 'setup', client });
        return json(200, toUserDto(user), {
          'set-cookie': serializeCookie(names.accessToken, token, {
            maxAge: maxAgeSeconds,
            secure: deps.secure,
          }),
        });
      },
    }),
  ];
}
