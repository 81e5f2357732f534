/**
 * Binds core's HttpApp to Express 5 (ARCHITECTURE: "Facts about the two frameworks").
 *
 * Departures from Express's defaults, each so Express answers byte-for-byte like the Fastify host:
 * `X-Powered-By` and the weak ETag are off, no body parser runs (core reads the raw stream), and the
 * answer is written with Node's own `writeHead`/`end`, bypassing `res.send`'s charset and ETag logic.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod } from 'node:fs/promises';
import express from 'express';
import type { HttpApp, HttpServer, ListenTarget, OutgoingHttpResponse } from '@latchkey/core';

export function createExpressServer(app: HttpApp): HttpServer {
  const expressApp = express();
  expressApp.disable('x-powered-by');
  expressApp.set('etag', false);
  expressApp.set('query parser', false);
  expressApp.use((req, res) => {
    void app
      .handle({
        method: req.method,
        url: req.originalUrl,
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
        body: req,
      })
      .then((response) => write(res, response));
  });
  const server: Server = createServer(expressApp);

  return {
    listen(target: ListenTarget) {
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        const done = async () => {
          server.off('error', reject);
          if ('path' in target) {
            if (target.mode !== undefined) await chmod(target.path, target.mode);
            resolve(target.path);
            return;
          }
          const address = server.address() as AddressInfo;
          resolve(
            `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
          );
        };
        if ('path' in target) server.listen(target.path, () => void done().catch(reject));
        else server.listen(target.port, target.host, () => void done().catch(reject));
      });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}

function write(res: ServerResponse, response: OutgoingHttpResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
