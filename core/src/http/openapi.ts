import { defineRoute, type JsonSchemaLike, type RouteDef } from './route.js';

const SECURITY: Record<RouteDef['auth'], Record<string, string[]>[] | undefined> = {
  public: undefined,
  user: [{ sessionCookie: [] }, { bearerSession: [] }, { apiKey: [] }],
  admin: [{ sessionCookie: [] }, { bearerSession: [] }, { apiKey: [] }],
  browser: [{ sessionCookie: [] }, { bearerSession: [] }],
  client: [{ clientSecretBasic: [] }, {}],
  bearer: [{ bearerAccessToken: [] }],
};

function parameters(schema: JsonSchemaLike | undefined, where: 'path' | 'query') {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchemaLike>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
  }));
}

/**
 * OpenAPI 3.1, generated from the same route declarations that validate requests, so the document
 * cannot drift from behaviour (CONVENTIONS: a route declares its guard once).
 */
export function buildOpenApi(routes: readonly RouteDef[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const declared = parameters(route.schema?.params, 'path');
      const params = [
        ...pathParams.map(
          (name) =>
            declared.find((p) => p.name === name) ?? {
              name,
              in: 'path',
              required: true,
              schema: { type: 'string' },
            },
        ),
        ...parameters(route.schema?.query, 'query'),
      ];
      const operation: Record<string, unknown> = {
        operationId: route.name,
        summary: route.summary,
        tags: route.tags,
        'x-auth': route.auth,
        responses: route.schema?.response
          ? Object.fromEntries(
              Object.entries(route.schema.response).map(([status, schema]) => [
                status,
                { description: `HTTP ${status}`, content: { 'application/json': { schema } } },
              ]),
            )
          : { default: { description: 'See docs/endpoints.md' } },
      };
      if (params.length > 0) operation.parameters = params;
      if (route.body && route.body !== 'none') {
        const mediaType =
          route.body === 'json'
            ? 'application/json'
            : route.body === 'form'
              ? 'application/x-www-form-urlencoded'
              : 'multipart/form-data';
        operation.requestBody = { content: { [mediaType]: { schema: route.schema?.body ?? {} } } };
      }
      const security = SECURITY[route.auth];
      if (security)
        operation.security = route.apiKey === false ? security.filter((s) => !('apiKey' in s)) : security;
      (paths[path] ??= {})[method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'access_token',
          description: '`__Host-access_token` on https',
        },
        bearerSession: { type: 'http', scheme: 'bearer', description: 'the sign-in token, as in the cookie' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        clientSecretBasic: { type: 'http', scheme: 'basic' },
        bearerAccessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}

/** `GET /api/openapi.json`; `routes` is read at request time so the document includes every route. */
export function openApiRoutes(
  routes: () => readonly RouteDef[],
  info: { title: string; version: string },
): RouteDef[] {
  let cached: string | undefined;
  return [
    defineRoute({
      name: 'openapi.document',
      method: 'GET',
      path: '/api/openapi.json',
      auth: 'public',
      database: false,
      tags: ['meta'],
      summary: 'This API as OpenAPI 3.1',
      async handler() {
        cached ??= JSON.stringify(buildOpenApi(routes(), info));
        return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: cached };
      },
    }),
  ];
}
