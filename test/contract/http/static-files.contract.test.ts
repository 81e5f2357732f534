import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PAGE_CSP,
  HttpApp,
  StaticFiles,
  defineRoute,
  json,
  silentLogger,
  type HttpServer,
} from '@latchkey/core';
import { createFastifyServer } from '@latchkey/http-fastify';
import { createExpressServer } from '@latchkey/http-express';
import { comparable, send, type RawRequest, type RawResponse } from '../../support/http-client.js';

/**
 * The UI's files and page fallback (core/src/http/static-files.ts) through both HTTP adapters: every
 * exchange must come back identical from Fastify and Express before its own assertions run.
 */
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>\n';
const SCRIPT = `export const hello = ${JSON.stringify('x'.repeat(2000))};\n`;
const NAVIGATION = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const routes = [
  defineRoute({
    name: 'test.item',
    method: 'GET',
    path: '/api/test/item',
    auth: 'public',
    async handler() {
      return json(200, { ok: true });
    },
  }),
  defineRoute({
    name: 'test.post-only',
    method: 'POST',
    path: '/api/test/post-only',
    auth: 'public',
    async handler() {
      return { status: 204 };
    },
  }),
];

let dist: string;
const servers: HttpServer[] = [];
const hosts: Record<string, Record<string, string>> = { built: {}, missing: {} };

function app(staticFiles: StaticFiles): HttpApp {
  return new HttpApp({
    routes,
    logger: silentLogger,
    database: { withScope: (fn) => fn() },
    issuerFor: () => 'http://localhost:1411',
    secure: false,
    staticFiles,
  });
}

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'latchkey-ui-'));
  await mkdir(join(dist, 'assets'));
  await mkdir(join(dist, '.vite'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'theme.js'), 'document.documentElement.dataset.theme = "dark";\n');
  await writeFile(join(dist, 'assets/index-abc123.js'), SCRIPT);
  await writeFile(join(dist, 'assets/logo-def456.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dist, 'assets/font-0a1b2c.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  await writeFile(join(dist, '.vite/manifest.json'), '{}');
  const variants = {
    built: StaticFiles.load(dist),
    missing: StaticFiles.load(join(dist, 'nowhere')),
  };
  for (const [variant, files] of Object.entries(variants)) {
    for (const [name, factory] of [
      ['fastify', createFastifyServer],
      ['express', createExpressServer],
    ] as const) {
      const server = factory(app(files));
      servers.push(server);
      hosts[variant]![name] = await server.listen({ host: '127.0.0.1', port: 0 });
    }
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dist, { recursive: true, force: true });
});

async function exchange(req: RawRequest, variant: 'built' | 'missing' = 'built'): Promise<RawResponse> {
  const urls = hosts[variant]!;
  const [a, b] = await Promise.all([send(urls.fastify!, req), send(urls.express!, req)]);
  expect(comparable(b!), 'Express must answer exactly as Fastify').toEqual(comparable(a!));
  return a!;
}

describe('the UI build, served by core on Fastify and Express', () => {
  it('serves a hashed asset for a year, immutable, with its type and an ETag', async () => {
    const res = await exchange({ path: '/assets/index-abc123.js' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toBe(SCRIPT);
    const svg = await exchange({ path: '/assets/logo-def456.svg' });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    const font = await exchange({ path: '/assets/font-0a1b2c.woff2' });
    expect(font.headers['content-type']).toBe('font/woff2');
    expect(font.body).toEqual(Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  });

  it('sends the gzipped bytes to a client that accepts them, with their own ETag', async () => {
    const plain = await exchange({ path: '/assets/index-abc123.js' });
    const res = await exchange({
      path: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toBe('accept-encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(res.body).toString()).toBe(SCRIPT);
    expect(res.headers.etag).not.toBe(plain.headers.etag);
    const refused = await exchange({
      path: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers HEAD like GET without the bytes, and 304 to a matching If-None-Match', async () => {
    const get = await exchange({ path: '/assets/index-abc123.js' });
    const head = await exchange({ method: 'HEAD', path: '/assets/index-abc123.js' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    const again = await exchange({
      path: '/assets/index-abc123.js',
      headers: { 'if-none-match': `W/"other", ${get.headers.etag as string}` },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(get.headers.etag);
    expect(again.headers['content-type']).toBeUndefined();
  });

  it('answers a missing asset with a 404 problem, even for a browser navigation', async () => {
    for (const accept of [undefined, NAVIGATION]) {
      const res = await exchange({
        path: '/assets/index-gone00.js',
        headers: accept ? { accept } : {},
      });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('answers a page route of a browser navigation with index.html, no-cache, under the page CSP', async () => {
    for (const path of ['/', '/login', '/lc/ABC123', '/settings/account?tab=passkeys', '/interaction']) {
      const res = await exchange({ path, headers: { accept: NAVIGATION } });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toBe(INDEX);
    }
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    const head = await exchange({ method: 'HEAD', path: '/login', headers: { accept: NAVIGATION } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('serves the other files of the build no-cache, and hides build metadata', async () => {
    const theme = await exchange({ path: '/theme.js' });
    expect(theme.status).toBe(200);
    expect(theme.headers['cache-control']).toBe('no-cache');
    expect(theme.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const index = await exchange({ path: '/index.html' });
    expect(index.headers['content-security-policy']).toBe(PAGE_CSP);
    expect((await exchange({ path: '/.vite/manifest.json' })).status).toBe(404);
  });

  it('keeps the API answering JSON: unknown API paths, wrong methods and non-browser requests are problems', async () => {
    const api = await exchange({ path: '/api/test/item', headers: { accept: NAVIGATION } });
    expect(api.json()).toEqual({ ok: true });
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    for (const path of ['/api/nope', '/api', '/.well-known/nope', '/authorize/x', '/healthz/x']) {
      const res = await exchange({ path, headers: { accept: NAVIGATION } });
      expect(res.status, path).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    }
    const wrongMethod = await exchange({ path: '/api/test/post-only', headers: { accept: NAVIGATION } });
    expect(wrongMethod.status).toBe(405);
    // Without text/html named (curl, fetch, a bare wildcard) a page path is an ordinary 404 problem.
    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0']) {
      const res = await exchange({ path: '/login', headers: accept ? { accept } : {} });
      expect(res.status, String(accept)).toBe(404);
    }
    // Pages are read-only: a POST to a page path is no page.
    const post = await exchange({ method: 'POST', path: '/login', headers: { accept: NAVIGATION } });
    expect(post.status).toBe(404);
  });

  it('says plainly that the UI is not built when ui/dist is missing, and the API still works', async () => {
    const page = await exchange({ path: '/login', headers: { accept: NAVIGATION } }, 'missing');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(page.text).toMatch(/The Latchkey UI is not built .*Run `npm run build`/);
    const asset = await exchange({ path: '/assets/index-abc123.js' }, 'missing');
    expect(asset.status).toBe(404);
    const api = await exchange({ path: '/api/test/item' }, 'missing');
    expect(api.json()).toEqual({ ok: true });
  });
});
