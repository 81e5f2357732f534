import { ProblemError } from '../../errors/problem.errors.js';

/**
 * pocket-id-api.md §9: callback URL patterns. Pocket ID compiles them as WHATWG URLPatterns; Node 20
 * has no URLPattern, so this file compiles the same wildcard syntax into regular expressions itself:
 * `*` alone matches anything; in the path `**` is any number of segments and `*` one segment; in the
 * scheme, userinfo, host and port `*` is a wildcard (`*.example.com`, `host:*`); query values are
 * globs, query keys literal; the fragment is dropped. A pattern that does not compile is refused.
 */
export interface CallbackPattern {
  /** Does `url` (the request's `redirect_uri`) match this pattern? */
  test(url: string): boolean;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*|\*):/;
const REFUSED_SCHEMES = new Set(['javascript', 'data']);
const HOST = /^[A-Za-z0-9*._~%!$&'()+,;=-]+$/;
const IPV6_HOST = /^\[[0-9A-Fa-f:.*]+\]$/;
const USERINFO = /^[A-Za-z0-9*._~%!$&'()+,;=:-]*$/;
const PORT = /^(\d{1,5}|\*)?$/;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
/** `*` matches within `stop`-free runs (a segment, a host, …). */
const glob = (s: string, any: string) => escape(s).replace(/\*/g, any);
const pathRegex = (s: string) =>
  escape(s)
    .replace(/\*\*/g, '\uE000')
    .replace(/\*/g, '[^/]*')
    .replace(/\uE000/g, '.*');

const hasControlCharacter = (s: string) =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

interface Parts {
  scheme: string;
  hierarchical: boolean;
  userinfo: string;
  host: string;
  port: string;
  path: string;
  query: string | undefined;
}

function split(url: string): Parts | null {
  const withoutFragment = url.split('#')[0]!;
  // Whitespace, control characters and backslashes never make a valid URL pattern.
  if (/[\s\\]/.test(withoutFragment) || hasControlCharacter(withoutFragment)) return null;
  const scheme = SCHEME.exec(withoutFragment)?.[1];
  if (!scheme) return null;
  let rest = withoutFragment.slice(scheme.length + 1);
  const q = rest.indexOf('?');
  const query = q === -1 ? undefined : rest.slice(q + 1);
  if (q !== -1) rest = rest.slice(0, q);
  if (!rest.startsWith('//')) {
    return { scheme, hierarchical: false, userinfo: '', host: '', port: '', path: rest, query };
  }
  const slash = rest.indexOf('/', 2);
  const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  let host = hostPort;
  let port = '';
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end === -1) return null;
    host = hostPort.slice(0, end + 1);
    const after = hostPort.slice(end + 1);
    if (after && !after.startsWith(':')) return null;
    port = after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    if (colon !== -1) [host, port] = [hostPort.slice(0, colon), hostPort.slice(colon + 1)];
  }
  return { scheme, hierarchical: true, userinfo, host, port, path, query };
}

function parseQuery(query: string | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (!query) return map;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    map.set(key, [...(map.get(key) ?? []), eq === -1 ? '' : pair.slice(eq + 1)]);
  }
  return map;
}

/** Compiles a callback URL pattern; null when it is not a valid pattern (or uses a refused scheme). */
export function compileCallbackPattern(pattern: string): CallbackPattern | null {
  if (pattern === '*') return { test: () => true };
  const parts = split(pattern);
  if (!parts || REFUSED_SCHEMES.has(parts.scheme.toLowerCase())) return null;
  if (parts.hierarchical) {
    const hostOk =
      parts.host === '' ? parts.scheme === 'file' : HOST.test(parts.host) || IPV6_HOST.test(parts.host);
    if (!hostOk || !USERINFO.test(parts.userinfo) || !PORT.test(parts.port)) return null;
    if (parts.port !== '*' && parts.port !== '' && Number(parts.port) > 65_535) return null;
  }
  const scheme = new RegExp(`^${glob(parts.scheme.toLowerCase(), '[a-z][a-z0-9+.-]*')}$`);
  const userinfo = new RegExp(`^${glob(parts.userinfo, '.*')}$`);
  const host = new RegExp(`^${glob(parts.host.toLowerCase(), '.*')}$`);
  const port = new RegExp(`^${glob(parts.port, '\\d*')}$`);
  const path = new RegExp(`^${pathRegex(parts.path)}$`);
  const query = [...parseQuery(parts.query)].map(
    ([key, values]) => [key, values.map((v) => new RegExp(`^${glob(v, '.*')}$`))] as const,
  );
  const matches = (candidate: Parts, ignorePort: boolean): boolean => {
    if (candidate.hierarchical !== parts.hierarchical) return false;
    if (!scheme.test(candidate.scheme.toLowerCase())) return false;
    if (!userinfo.test(candidate.userinfo) || !host.test(candidate.host.toLowerCase())) return false;
    if (!ignorePort && !port.test(candidate.port)) return false;
    if (!path.test(candidate.path)) return false;
    const got = parseQuery(candidate.query);
    if (got.size !== query.length) return false;
    return query.every(([key, patterns]) => {
      const values = got.get(key);
      return values?.length === patterns.length && patterns.every((p, i) => p.test(values[i]!));
    });
  };
  return {
    test(url) {
      if (url === pattern) return true;
      const candidate = split(url);
      if (!candidate) return false;
      if (matches(candidate, false)) return true;
      // §9 step 3: an http loopback pattern without a port accepts any port (RFC 8252 §7.3).
      return (
        candidate.scheme.toLowerCase() === 'http' &&
        LOOPBACK.test(candidate.host) &&
        parts.port === '' &&
        matches(candidate, true)
      );
    },
  };
}

/** Plain `http` to a host other than localhost or a loopback IP. */
export function isInsecureCallbackUrl(pattern: string): boolean {
  const parts = split(pattern);
  return !!parts && parts.scheme.toLowerCase() === 'http' && !LOOPBACK.test(parts.host);
}

export const invalidCallbackUrl = (url: string, field: string): ProblemError =>
  new ProblemError({
    status: 400,
    code: 'oidc_invalid_callback_url',
    detail: `Invalid callback URL: ${url}`,
    details: { url, field },
  });

/**
 * Checks every callback (or logout callback) URL on save: it must compile as a pattern, and with
 * `ALLOW_INSECURE_CALLBACK_URLS=false` it must not be plain http to a non-loopback host.
 */
export function checkCallbackUrls(
  urls: readonly string[],
  options: { allowInsecure: boolean; field: string },
): void {
  for (const url of urls) {
    if (!compileCallbackPattern(url)) throw invalidCallbackUrl(url, options.field);
    if (!options.allowInsecure && isInsecureCallbackUrl(url)) throw invalidCallbackUrl(url, options.field);
  }
}
