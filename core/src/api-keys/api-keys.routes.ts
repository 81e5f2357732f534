import { json } from '../http/render.js';
import { parseListQuery, paginate } from '../http/pagination.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { ApiKey } from './api-key.js';
import type { ApiKeyRepository, ApiKeySortColumn } from './api-key.repository.port.js';
import type { ApiKeyService } from './api-key.service.js';

/** Pocket ID's ApiKeyDto (pocket-id-api.md §4.7). */
export function toApiKeyDto(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    expiresAt: key.expiresAt.toISOString(),
    lastUsedAt: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
    createdAt: key.createdAt.toISOString(),
    expirationEmailSent: key.expirationEmailSent,
  };
}

const SORTABLE: readonly ApiKeySortColumn[] = ['name', 'expiresAt', 'lastUsedAt', 'createdAt'];

const expiresAt = { type: 'string', format: 'date-time' };

const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };

/**
 * `/api/api-keys` (pocket-id-api.md §4.7). Creating and renewing are `browser` routes: an API key can
 * never mint or renew another key (403 `api_key_auth_not_allowed`).
 */
export function apiKeyRoutes(deps: { apiKeys: ApiKeyService; repository: ApiKeyRepository }): RouteDef[] {
  return [
    defineRoute({
      name: 'api-keys.list',
      method: 'GET',
      path: '/api/api-keys',
      auth: 'user',
      tags: ['api-keys'],
      summary: 'Your API keys, paginated',
      async handler(req) {
        const userId = req.auth!.user.id;
        const options = parseListQuery(req.query, { sortable: SORTABLE });
        const page = await paginate(
          options,
          () => deps.repository.countByUser(userId),
          (offset, limit) =>
            deps.repository.listByUser(userId, {
              offset,
              limit,
              sort: options.sort as { column: ApiKeySortColumn; direction: 'asc' | 'desc' } | undefined,
            }),
        );
        return json(200, { ...page, data: page.data.map(toApiKeyDto) });
      },
    }),
    defineRoute<Record<string, string>, { name: string; description?: string | null; expiresAt: string }>({
      name: 'api-keys.create',
      method: 'POST',
      path: '/api/api-keys',
      auth: 'browser',
      body: 'json',
      schema: {
        body: {
          type: 'object',
          required: ['name', 'expiresAt'],
          properties: {
            name: { type: 'string', minLength: 3, maxLength: 50 },
            description: { type: ['string', 'null'] },
            expiresAt,
          },
        },
      },
      tags: ['api-keys'],
      summary: 'Create an API key; its secret is shown once',
      async handler(req) {
        const { key, secret } = await deps.apiKeys.create(req.auth!.user, {
          name: req.body.name.normalize('NFC'),
          description: req.body.description ? req.body.description.normalize('NFC') : null,
          expiresAt: new Date(req.body.expiresAt),
        });
        return json(201, { apiKey: toApiKeyDto(key), token: secret });
      },
    }),
    defineRoute<{ id: string }, { expiresAt: string }>({
      name: 'api-keys.renew',
      method: 'POST',
      path: '/api/api-keys/:id/renew',
      auth: 'browser',
      body: 'json',
      schema: {
        params: idParams,
        body: { type: 'object', required: ['expiresAt'], properties: { expiresAt } },
      },
      tags: ['api-keys'],
      summary: 'Give an expired API key a new secret and expiry',
      async handler(req) {
        const { key, secret } = await deps.apiKeys.renew(
          req.auth!.user,
          req.params.id,
          new Date(req.body.expiresAt),
        );
        return json(200, { apiKey: toApiKeyDto(key), token: secret });
      },
    }),
    defineRoute<{ id: string }>({
      name: 'api-keys.revoke',
      method: 'DELETE',
      path: '/api/api-keys/:id',
      auth: 'user',
      schema: { params: idParams },
      tags: ['api-keys'],
      summary: 'Revoke (delete) one of your API keys',
      async handler(req) {
        await deps.apiKeys.revoke(req.auth!.user, req.params.id);
        return { status: 204 };
      },
    }),
  ];
}
