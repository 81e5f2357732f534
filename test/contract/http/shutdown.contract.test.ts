import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineRoute, HttpApp, json, silentLogger } from '@latchkey/core';
import { createFastifyServer } from '@latchkey/http-fastify';
import { createExpressServer } from '@latchkey/http-express';
import { send } from '../../support/http-client.js';

/** Graceful stop and Unix sockets behave the same on both hosts. */
describe.each([
  ['fastify', createFastifyServer],
  ['express', createExpressServer],
] as const)('%s host', (_name, factory) => {
  function appWithGate() {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const app = new HttpApp({
      routes: [
        defineRoute({
          name: 'test.slow',
          method: 'GET',
          path: '/slow',
          auth: 'public',
          async handler() {
            entered();
            await gate;
            return json(200, { done: true });
          },
        }),
      ],
      logger: silentLogger,
      database: { withScope: (fn) => fn() },
      issuerFor: () => 'http://localhost',
      secure: false,
    });
    return { app, release, inside };
  }

  it('finishes a request in flight on close, then refuses new connections', async () => {
    const { app, release, inside } = appWithGate();
    const server = factory(app);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const pending = send(url, { path: '/slow' });
    await inside;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ done: true });
    await closing;
    await expect(send(url, { path: '/slow' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('listens on a Unix socket with the requested mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-sock-'));
    const path = join(dir, 'latchkey.sock');
    const { app, release } = appWithGate();
    release();
    const server = factory(app);
    expect(await server.listen({ path, mode: 0o660 })).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o660);
    const status = await new Promise<number>((resolve, reject) => {
      request({ socketPath: path, path: '/slow' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
});
