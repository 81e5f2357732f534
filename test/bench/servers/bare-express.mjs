/** Bare Express 5 answering a small JSON: the ceiling Latchkey's Express host is compared with. */
import { createServer } from 'node:http';
import express from 'express';
import { announce } from './lifecycle.mjs';
import { SHAPED_BODY, shapedHeaders } from './latchkey-shaped.mjs';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
// Latchkey's headers and a body the size of its discovery document, written as its Express host does.
app.get('/shaped', (_req, res) => {
  res.writeHead(200, shapedHeaders());
  res.end(SHAPED_BODY);
});
const server = createServer(app);
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
announce(`http://127.0.0.1:${port}`, async () => {
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
});
