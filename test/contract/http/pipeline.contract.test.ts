import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, HttpApp, json, OAuthError, silentLogger, type HttpServer } from '@latchkey/core';
import { createFastifyServer } from '@latchkey/http-fastify';
import { createExpressServer } from '@latchkey/http-express';
import { comparable, send, type RawRequest, type RawResponse } from '../../support/http-client.js';

/**
 * Core's request pipeline through both HTTP adapters. Every exchange is sent to both hosts and must
 * come back identical (status, headers, body) before its own assertions run.
 */
const routes = [
  defineRoute({
    name: 'test.echo-json',
    method: 'POST',
    path: '/api/test/echo',
    auth: 'public',
    body: 'json',
    bodyLimit: 1024,
    schema: {
      body: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 2, maxLength: 10 },
          email: { type: 'string', format: 'email' },
        },
      },
    },
    async handler(req) {
      return json(200, { received: req.body });
    },
  }),
  defineRoute({
    name: 'test.item',
    method: ['GET', 'DELETE'],
    path: '/api/test/items/:id',
    auth: 'public',
    async handler(req) {
      return json(200, { id: req.params.id, query: req.query, ip: req.ip, cookies: req.cookies });
    },
  }),
  defineRoute({
    name: 'test.oauth',
    method: 'POST',
    path: '/api/test/token',
    auth: 'public',
    body: 'form',
    errors: 'oauth',
    rejectRepeatedParams: true,
    schema: { body: { type: 'object', required: ['grant_type'] } },
    async handler(req) {
      const body = req.body as Record<string, string>;
      if (body.grant_type !== 'x') throw new OAuthError('unsupported_grant_type', 'grant_type must be x');
      return json(200, { ok: true }, { 'cache-control': 'no-store' });
    },
  }),
  defineRoute({
    name: 'test.crash',
    method: 'GET',
    path: '/api/test/crash',
    auth: 'public',
    async handler() {
      throw new Error('secret internal detail');
    },
  }),
  defineRoute({
    name: 'test.private',
    method: 'GET',
    path: '/api/test/private',
    auth: 'user',
    async handler() {
      return json(200, {});
    },
  }),
];

const logged: unknown[] = [];
const app = new HttpApp({
  routes,
  logger: {
    ...silentLogger,
    error: (obj: unknown) => void logged.push(obj),
    child: () => ({ ...silentLogger, error: (obj: unknown) => void logged.push(obj) }),
  },
  database: { withScope: (fn) => fn() },
  issuerFor: () => 'http://localhost:1411',
  secure: false,
});

const servers: HttpServer[] = [];
const urls: Record<string, string> = {};

beforeAll(async () => {
  for (const [name, factory] of [
    ['fastify', createFastifyServer],
    ['express', createExpressServer],
  ] as const) {
    const server = factory(app);
    servers.push(server);
    urls[name] = await server.listen({ host: '127.0.0.1', port: 0 });
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function exchange(req: RawRequest): Promise<RawResponse> {
  const [a, b] = await Promise.all([send(urls.fastify!, req), send(urls.express!, req)]);
  expect(comparable(b!), 'Express must answer exactly as Fastify').toEqual(comparable(a!));
  return a!;
}

describe('HTTP pipeline on Fastify and Express', () => {
  it('routes with path parameters and keeps repeated query parameters', async () => {
    const res = await exchange({
      path: '/api/test/items/abc?x=1&x=2&y=3',
      headers: { cookie: 'a=1; b=%20x' },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      id: 'abc',
      query: { x: ['1', '2'], y: '3' },
      ip: '127.0.0.1',
      cookies: { a: '1', b: ' x' },
    });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts a 128-character client id in a path parameter', async () => {
    const id = 'c'.repeat(128);
    expect((await exchange({ path: `/api/test/items/${id}` })).json().id).toBe(id);
  });

  it('sets the security headers and default caching on every answer', async () => {
    const res = await exchange({ path: '/api/test/items/1' });
    expect(res.headers).toMatchObject({
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
  });

  it('echoes a well-formed X-Request-ID and replaces a malformed one', async () => {
    expect(
      (await send(urls.express!, { path: '/api/test/items/1', headers: { 'x-request-id': 'abc-123' } }))
        .headers['x-request-id'],
    ).toBe('abc-123');
    expect(
      (await send(urls.fastify!, { path: '/api/test/items/1', headers: { 'x-request-id': 'abc-123' } }))
        .headers['x-request-id'],
    ).toBe('abc-123');
    const bad = await send(urls.fastify!, {
      path: '/api/test/items/1',
      headers: { 'x-request-id': 'a b<script>' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await exchange({ path: '/api/nope' });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = res.json();
    expect(body).toMatchObject({
      status: 404,
      code: 'not_found',
      title: 'Not Found',
      error: 'API endpoint not found',
    });
    expect(body.request_id).toBe(res.headers['x-request-id']);
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await exchange({ method: 'PUT', path: '/api/test/items/1' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, DELETE');
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await exchange({ method: 'HEAD', path: '/api/test/items/1' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    const get = await send(urls.fastify!, { path: '/api/test/items/1' });
    expect(res.headers['content-length']).toBe(get.headers['content-length']);
  });

  it('refuses malformed JSON with 400 invalid_request_body', async () => {
    const res = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request_body', status: 400 });
  });

  it('refuses a JSON route body sent as another media type', async () => {
    const res = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.json().code).toBe('invalid_request_body');
  });

  it('accepts application/<x>+json and parses the body itself', async () => {
    const res = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"name":"ab"}',
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ received: { name: 'ab' } });
  });

  it('names every invalid field in a validation problem', async () => {
    const res = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a","email":"nope"}',
    });
    expect(res.status).toBe(400);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name', code: 'too_short' }),
        expect.objectContaining({ field: 'email', code: 'invalid_format' }),
      ]),
    );
    expect(body.details.fields).toEqual(body.errors);
  });

  it('refuses an oversized body with 413, by declared length and by counting', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2000) });
    const declared = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ code: 'request_body_too_large', details: { max_size: 1024 } });
    const chunked = await exchange({
      method: 'POST',
      path: '/api/test/echo',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
  });

  it('answers OAuth routes with RFC 6749 errors, refusing repeated parameters', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const repeated = await exchange({
      method: 'POST',
      path: '/api/test/token',
      headers: form,
      body: 'grant_type=x&grant_type=y',
    });
    expect(repeated.status).toBe(400);
    expect(repeated.json()).toEqual({
      error: 'invalid_request',
      error_description: "The 'grant_type' parameter is included more than once",
    });
    expect(repeated.headers['cache-control']).toBe('no-store');
    const missing = await exchange({ method: 'POST', path: '/api/test/token', headers: form, body: 'a=b' });
    expect(missing.json().error).toBe('invalid_request');
    const wrong = await exchange({
      method: 'POST',
      path: '/api/test/token',
      headers: form,
      body: 'grant_type=z',
    });
    expect(wrong.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'grant_type must be x',
    });
    const ok = await exchange({
      method: 'POST',
      path: '/api/test/token',
      headers: form,
      body: 'grant_type=x',
    });
    expect(ok.status).toBe(200);
    const big = await exchange({
      method: 'POST',
      path: '/api/test/token',
      headers: form,
      body: 'grant_type=' + 'x'.repeat(70_000),
    });
    expect(big.status).toBe(413);
    expect(big.json().error).toBe('invalid_request');
  });

  it('hides an unexpected error behind a 500 problem and logs its cause', async () => {
    logged.length = 0;
    const res = await exchange({ path: '/api/test/crash' });
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({ code: 'internal_error', error: 'Something went wrong' });
    expect(res.text).not.toContain('secret internal detail');
    expect(JSON.stringify(logged.map((l) => String((l as { err: Error }).err)))).toContain(
      'secret internal detail',
    );
  });

  it('refuses a non-public route without authentication', async () => {
    const res = await exchange({ path: '/api/test/private' });
    expect(res.status).toBe(401);
    expect(res.json().code).toBe('not_signed_in');
  });

  it('answers a malformed URL with a 400 problem', async () => {
    const res = await exchange({ path: '/api/test/items/%zz' });
    expect(res.status).toBe(400);
    expect(res.json().code).toBe('invalid_url');
  });
});
