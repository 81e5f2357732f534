import type { IncomingHttpHeaders } from 'node:http';

/** `::ffff:1.2.3.4` → `1.2.3.4`, so logs and proxy checks see one form per address. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * The client's address. `X-Forwarded-For` is believed only hop by hop from the right, and only while
 * each hop is a trusted proxy (TRUST_PROXY), so a client cannot forge its address by sending the header.
 */
export function clientIp(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
  isTrustedProxy: (ip: string) => boolean,
): string {
  let ip = normalizeIp(remoteAddress ?? '');
  if (!ip || !isTrustedProxy(ip)) return ip;
  const header = headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => normalizeIp(h.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i]!;
    if (!isTrustedProxy(ip)) break;
  }
  return ip;
}
