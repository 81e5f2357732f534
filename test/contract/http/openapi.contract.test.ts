import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../support/http-client.js';
import { startServer, type TestServer } from '../../support/server.js';

/** `/api/openapi.json` is generated from the route table, so every route is in it with its guard. */
describe('OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('describes every route of the running server with its auth level and schemas', async () => {
    const res = await send(server.url, { path: '/api/openapi.json' });
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const route of server.app.http.routes) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const op = doc.paths[path]?.[method.toLowerCase()];
        expect(op, `${method} ${route.path}`).toBeDefined();
        expect(op.operationId).toBe(route.name);
        expect(op['x-auth']).toBe(route.auth);
      }
    }
    const rename = doc.paths['/api/webauthn/credentials/{id}'].patch;
    expect(rename.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(rename.requestBody.content['application/json'].schema.properties.name).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: 50,
    });
    expect(doc.paths['/api/webauthn/register/start'].get.security).toEqual([
      { sessionCookie: [] },
      { bearerSession: [] },
    ]);
    expect(doc.paths['/healthz'].get.security).toBeUndefined();
  });
});
