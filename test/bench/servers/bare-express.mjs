/** Bare Express 5 answering a small JSON: the ceiling Latchkey's Express host is compared with. */
import { createServer } from 'node:http';
import express from 'express';
import { announce } from './lifecycle.mjs';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
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
