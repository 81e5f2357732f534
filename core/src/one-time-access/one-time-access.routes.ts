import { ProblemError } from '../errors/problem.errors.js';
import { cookieNames, serializeCookie } from '../http/cookies.js';
import { json } from '../http/render.js';
import { clientInfo, defineRoute, type RouteDef } from '../http/route.js';
import type { EventBus } from '../kernel/event-bus.js';
import type { SessionService } from '../sessions/session.service.js';
import { toUserDto } from '../users/user.dto.js';
import type { UserRepository } from '../users/user.repository.port.js';
import type { OneTimeAccessService } from './one-time-access.service.js';
import { parseTtl } from './ttl.js';

const ttlBody = {
  type: 'object',
  properties: { ttl: { type: ['number', 'string'] } },
} as const;

/**
 * Login codes: an admin makes one for a user, a user makes one for themself (to sign in on another
 * device), and anyone holding a code exchanges it for a session. The `/lc/<code>` page of the UI posts
 * the exchange; there is deliberately no GET that spends a code, since link previewers would burn it.
 */
export function oneTimeAccessRoutes(deps: {
  codes: OneTimeAccessService;
  users: UserRepository;
  sessions: SessionService;
  events: EventBus;
  secure: boolean;
}): RouteDef[] {
  const names = cookieNames(deps.secure);
  return [
    defineRoute<{ id: string }, { ttl?: number | string }>({
      name: 'one-time-access.create-for-user',
      method: 'POST',
      path: '/api/users/:id/one-time-access-token',
      auth: 'admin',
      body: 'json',
      schema: { body: ttlBody },
      tags: ['one-time-access'],
      summary: 'Create a login code for a user (201 {token})',
      async handler(req) {
        const user = await deps.users.findById(req.params.id);
        if (!user) throw new ProblemError({ status: 404, code: 'user_not_found', detail: 'User not found' });
        const { code } = await deps.codes.create(user.id, parseTtl(req.body.ttl));
        return json(201, { token: code });
      },
    }),
    defineRoute<Record<string, string>, { ttl?: number | string }>({
      name: 'one-time-access.create-for-me',
      method: 'POST',
      path: '/api/users/me/one-time-access-token',
      auth: 'user',
      body: 'json',
      schema: { body: ttlBody },
      tags: ['one-time-access'],
      summary: 'Create a login code to sign in on another device (201 {token})',
      async handler(req) {
        const { code } = await deps.codes.create(req.auth!.user.id, parseTtl(req.body.ttl));
        return json(201, { token: code });
      },
    }),
    defineRoute<{ token: string }>({
      name: 'one-time-access.exchange',
      method: 'POST',
      path: '/api/one-time-access-token/:token',
      auth: 'public',
      rateLimit: 'one-time-access-token',
      tags: ['one-time-access'],
      summary: 'Exchange a login code for a session',
      async handler(req) {
        const user = await deps.codes.exchange(req.params.token);
        const client = clientInfo(req);
        const { token, maxAgeSeconds } = await deps.sessions.create(user, ['otp'], client);
        await deps.events.emit('user.signed_in', { userId: user.id, method: 'login_code', client });
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
