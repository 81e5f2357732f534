/** Bare Fastify 5 answering a small JSON: the ceiling Latchkey's Fastify host is compared with. */
import Fastify from 'fastify';
import { announce } from './lifecycle.mjs';
import { SHAPED_BODY, shapedHeaders } from './latchkey-shaped.mjs';

const fastify = Fastify({ logger: false });
fastify.get('/hello', async () => ({ hello: 'world' }));
// Latchkey's headers and a body the size of its discovery document, written as its Fastify host does.
fastify.get('/shaped', (_request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, shapedHeaders());
  reply.raw.end(SHAPED_BODY);
});
await fastify.listen({ host: '127.0.0.1', port: 0 });
const { port } = fastify.server.address();
announce(`http://127.0.0.1:${port}`, () => fastify.close());
