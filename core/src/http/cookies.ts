/** Parses a `Cookie` header. The first occurrence of a name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  /** Seconds; omitted for a cookie cleared the way Pocket ID clears it (empty value, no Max-Age). */
  maxAge?: number;
  path?: string;
  secure: boolean;
}

/** HttpOnly, SameSite=Lax, no Domain: the attributes Pocket ID gives every cookie (pocket-id-api.md §1.5). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  let cookie = `${name}=${encodeURIComponent(value)}; Path=${options.path ?? '/'}`;
  if (options.maxAge !== undefined) cookie += `; Max-Age=${Math.max(0, Math.floor(options.maxAge))}`;
  cookie += '; HttpOnly; SameSite=Lax';
  if (options.secure) cookie += '; Secure';
  return cookie;
}

/**
 * Pocket ID's cookie names: `__Host-`/`__Secure-` prefixed on https, bare on http (where browsers
 * would refuse the prefixes).
 */
export function cookieNames(secure: boolean) {
  return {
    accessToken: secure ? '__Host-access_token' : 'access_token',
    challenge: secure ? '__Host-session' : 'session',
    reauthentication: secure ? '__Secure-reauthentication_token' : 'reauthentication_token',
  };
}
