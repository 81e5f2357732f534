/**
 * Binds core's HttpApp to Fastify 5 (ARCHITECTURE: "Facts about the two frameworks").
 *
 * Departures from Fastify's defaults, each so Fastify answers byte-for-byte like the Express host:
 * - one catch-all route; core does the routing, and gets the raw `req.url`. Core takes the request in
 *   an `onRequest` hook, Fastify's first step after its routing, so content-type parsing, validation
 *   and the handler call never run (the route, not-found and error handlers remain for requests that
 *   reach them without the hook, such as framework errors);
 * - all content-type parsers removed and a '*' parser that hands core the unread stream, so core
 *   parses bodies and enforces its own size caps (Fastify's 413/415 never answer);
 * - not-found, framework errors (bad URLs) and the error handler go to core's renderer;
 * - the answer is written with Node's `writeHead`/`end` after `reply.hijack()`, so Fastify's reply
 *   pipeline adds nothing.
 */
import type { AddressInfo } from 'node:net';
import { chmod } from 'node:fs/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { HttpApp, HttpServer, ListenTarget } from '@latchkey/core';

export function createFastifyServer(app: HttpApp): HttpServer {
  const fastify = Fastify({
    // Core logs every request with its request id; Fastify's own log would duplicate it.
    logger: false,
    // Fastify's default of 100 would refuse 128-character client ids; core matches params itself.
    routerOptions: { maxParamLength: 1024 },
    // Like the Express host: requests already on a connection finish; idle connections close.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    frameworkErrors: (_error, request, reply) => void forward(app, request, reply),
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // Core takes each request from Fastify's first hook, right after routing, so none of Fastify's later
  // steps (content-type parsing, preValidation, the handler call) run for it.
  fastify.addHook('onRequest', (request, reply, done) => {
    forward(app, request, reply);
    done();
  });
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    handler: (request, reply) => forward(app, request, reply),
  });
  fastify.setNotFoundHandler((request, reply) => forward(app, request, reply));
  fastify.setErrorHandler((_error, request, reply) => forward(app, request, reply));

  return {
    async listen(target: ListenTarget) {
      if ('path' in target) {
        await fastify.listen({ path: target.path });
        if (target.mode !== undefined) await chmod(target.path, target.mode);
        return target.path;
      }
      await fastify.listen({ host: target.host, port: target.port });
      const address = fastify.server.address() as AddressInfo;
      return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    },
    async close() {
      await fastify.close();
    },
  };
}

/** Hands the request to core and writes its answer; a request already handed over is left alone. */
function forward(app: HttpApp, request: FastifyRequest, reply: FastifyReply): void {
  if (reply.sent) return;
  // Core's answer is complete (status, every header, the bytes), so it is written with Node's own
  // writeHead/end as the Express host does; Fastify's send pipeline (serializers, onSend hooks) would
  // only cost time (~2 µs per request) and could not change a byte.
  reply.hijack();
  const raw = request.raw;
  void app
    .handle({
      method: raw.method ?? 'GET',
      url: raw.url ?? '/',
      headers: raw.headers,
      remoteAddress: raw.socket.remoteAddress,
      // The '*' parser passed the stream through unread, so core reads it with the route's cap.
      body: raw,
    })
    .then((response) => {
      reply.raw.writeHead(response.status, response.headers);
      reply.raw.end(response.body);
    })
    .catch(() => {
      // Only a header Node refuses could get here (core's handle never throws): end the exchange.
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-length': '0' });
      reply.raw.end();
    });
}
