/** Bare Fastify 5 answering a small JSON: the ceiling Latchkey's Fastify host is compared with. */
import Fastify from 'fastify';
import { announce } from './lifecycle.mjs';

const fastify = Fastify({ logger: false });
fastify.get('/hello', async () => ({ hello: 'world' }));
await fastify.listen({ host: '127.0.0.1', port: 0 });
const { port } = fastify.server.address();
announce(`http://127.0.0.1:${port}`, () => fastify.close());
