import type { UserGroupMinimalDto } from '../groups/user-group.dto.js';
import type { UserGroup } from '../groups/user-group.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import { cookieNames, serializeCookie } from '../http/cookies.js';
import { parseListQuery, paginate } from '../http/pagination.js';
import { json } from '../http/render.js';
import { clientInfo, defineRoute, type RouteDef } from '../http/route.js';
import { parseTtl } from '../one-time-access/ttl.js';
import type { SessionService } from '../sessions/session.service.js';
import type { AccountViews } from '../users/account-views.js';
import { signUpBodySchema, type SignUpBody } from '../users/user.schema.js';
import type { SignupToken } from './signup-token.js';
import type { SignupTokenRepository, SignupTokenSortColumn } from './signup-token.repository.port.js';
import type { SignupService } from './signup.service.js';

/**
 * Pocket ID's SignupTokenDto (pocket-id-api.md §4.1). `token` is the secret only in the answer to its
 * creation; lists answer `null`, since only the token's hash is stored (a deliberate departure: Pocket ID
 * lists its tokens in clear).
 */
export interface SignupTokenDto {
  id: string;
  token: string | null;
  expiresAt: string;
  usageLimit: number;
  usageCount: number;
  userGroups: UserGroupMinimalDto[];
  createdAt: string;
}

const SORTABLE: readonly SignupTokenSortColumn[] = ['createdAt', 'expiresAt', 'usageLimit', 'usageCount'];

const createBodySchema = {
  type: 'object',
  required: ['usageLimit'],
  properties: {
    ttl: { type: ['number', 'string'] },
    usageLimit: { type: 'integer', minimum: 1, maximum: 100 },
    userGroupIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

interface CreateBody {
  ttl?: number | string;
  usageLimit: number;
  userGroupIds?: string[];
}

/**
 * `POST /api/signup` (public, rate-limited by the `signup` policy) and the admin's
 * `/api/signup-tokens`. A signup answers 201 with the new user and a sign-in cookie whose session has
 * no `amr` (no authentication method was used: the person has no passkey yet).
 */
export function signupRoutes(deps: {
  signup: SignupService;
  tokens: SignupTokenRepository;
  groups: Pick<UserGroupRepository, 'findById'>;
  views: AccountViews;
  sessions: SessionService;
  secure: boolean;
}): RouteDef[] {
  const names = cookieNames(deps.secure);

  async function toDtos(tokens: SignupToken[], secret?: string): Promise<SignupTokenDto[]> {
    const ids = [...new Set(tokens.flatMap((t) => t.userGroupIds))];
    const groups = (await Promise.all(ids.map((id) => deps.groups.findById(id)))).filter(
      (g): g is UserGroup => g !== null,
    );
    const minimal = new Map((await deps.views.groupsMinimal(groups)).map((dto) => [dto.id, dto] as const));
    return tokens.map((t) => ({
      id: t.id,
      token: secret ?? null,
      expiresAt: t.expiresAt.toISOString(),
      usageLimit: t.usageLimit,
      usageCount: t.usageCount,
      userGroups: t.userGroupIds
        .map((id) => minimal.get(id))
        .filter((g): g is UserGroupMinimalDto => g !== undefined)
        .sort((a, b) => a.name.localeCompare(b.name)),
      createdAt: t.createdAt.toISOString(),
    }));
  }

  return [
    defineRoute<Record<string, string>, SignUpBody>({
      name: 'signup.signup',
      method: 'POST',
      path: '/api/signup',
      auth: 'public',
      body: 'json',
      rateLimit: 'signup',
      schema: { body: signUpBodySchema },
      tags: ['signup'],
      summary: 'Sign up, openly or with a signup token; answers 201 with a sign-in cookie',
      async handler(req) {
        const client = clientInfo(req);
        const user = await deps.signup.signUp(req.body, client);
        const { token, maxAgeSeconds } = await deps.sessions.create(user, [], client);
        return json(201, await deps.views.user(user), {
          'set-cookie': serializeCookie(names.accessToken, token, {
            maxAge: maxAgeSeconds,
            secure: deps.secure,
          }),
        });
      },
    }),
    defineRoute<Record<string, string>, CreateBody>({
      name: 'signup-tokens.create',
      method: 'POST',
      path: '/api/signup-tokens',
      auth: 'admin',
      body: 'json',
      schema: { body: createBodySchema },
      tags: ['signup'],
      summary: 'Create a signup token; the token is shown only in this answer',
      async handler(req) {
        const { token, secret } = await deps.signup.createToken({
          ttlMs: parseTtl(req.body.ttl),
          usageLimit: req.body.usageLimit,
          userGroupIds: req.body.userGroupIds ?? [],
        });
        return json(201, (await toDtos([token], secret))[0]);
      },
    }),
    defineRoute({
      name: 'signup-tokens.list',
      method: 'GET',
      path: '/api/signup-tokens',
      auth: 'admin',
      tags: ['signup'],
      summary: 'Signup tokens, paginated (without the tokens themselves)',
      async handler(req) {
        const options = parseListQuery(req.query, { sortable: SORTABLE });
        const page = await paginate(
          options,
          () => deps.tokens.count(),
          (offset, limit) =>
            deps.tokens.list({
              offset,
              limit,
              sort: options.sort as { column: SignupTokenSortColumn; direction: 'asc' | 'desc' } | undefined,
            }),
        );
        return json(200, { ...page, data: await toDtos(page.data) });
      },
    }),
    defineRoute<{ id: string }>({
      name: 'signup-tokens.delete',
      method: 'DELETE',
      path: '/api/signup-tokens/:id',
      auth: 'admin',
      schema: { params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
      tags: ['signup'],
      summary: 'Delete a signup token (204 even when it does not exist)',
      async handler(req) {
        await deps.tokens.delete(req.params.id);
        return { status: 204 };
      },
    }),
  ];
}
