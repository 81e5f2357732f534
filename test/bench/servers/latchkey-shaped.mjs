/**
 * An answer shaped like Latchkey's discovery document, for the bare-framework servers: the same 11
 * headers Latchkey sends (its security headers, CORS, a fresh X-Request-ID) and a JSON body of the same
 * size (2,000 bytes), built once. A bare framework answering it shows how much of the gap to its hello
 * route is the bytes and headers themselves (Node validates and writes every header; autocannon parses
 * every byte), which no change inside Latchkey can remove.
 */
import { randomUUID } from 'node:crypto';

const BODY_BYTES = 2000;

function shapedBody() {
  const doc = { issuer: 'http://127.0.0.1', padding: '' };
  const base = Buffer.byteLength(JSON.stringify(doc));
  doc.padding = 'x'.repeat(BODY_BYTES - base);
  return JSON.stringify(doc);
}

export const SHAPED_BODY = shapedBody();

const FIXED_HEADERS = {
  'cache-control': 'private, no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'content-type': 'application/json; charset=utf-8',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'Authorization',
};

/** The headers of one answer, with its own request id, as Latchkey makes them. */
export function shapedHeaders() {
  return Object.assign({}, FIXED_HEADERS, {
    'x-request-id': randomUUID(),
    'content-length': String(Buffer.byteLength(SHAPED_BODY)),
  });
}
