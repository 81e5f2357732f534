/**
 * Parsers for the string formats the configuration schema names. Each one either returns the parsed value
 * or a short reason, so ajv can use it as a format check and the loader can say exactly what is wrong.
 */

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

// Go's strconv.ParseBool: the exact spellings Pocket ID accepts for its boolean variables.
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseBool`: `1 t T TRUE true True` / `0 f F FALSE false False`; anything else is undefined. */
export function parseGoBool(value: string): boolean | undefined {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  return undefined;
}

/**
 * `APP_URL` and `INTERNAL_APP_URL`, as Pocket ID reads them: lower-cased, trailing `/` trimmed, http(s),
 * and nothing after the authority. OIDC Discovery §3 also forbids a query or fragment in the issuer.
 * The value is kept as written otherwise (an explicit `:443` stays), because relying parties compare
 * the issuer as a string.
 */
export function parseAppUrl(raw: string): ParseResult<string> {
  const lower = raw.trim().toLowerCase();
  if (!/^https?:\/\//.test(lower)) return { ok: false, reason: 'it does not start with http:// or https://' };
  const value = lower.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'it is not a valid URL' };
  }
  if (!url.hostname) return { ok: false, reason: 'it has no host' };
  if (url.username || url.password) return { ok: false, reason: 'it contains a user name or password' };
  if (url.pathname !== '/') return { ok: false, reason: `it has the path "${url.pathname}"` };
  if (value.includes('?')) return { ok: false, reason: 'it has a query string' };
  if (value.includes('#')) return { ok: false, reason: 'it has a fragment' };
  return { ok: true, value };
}

/** `UNIX_SOCKET_MODE`: an octal permission mode such as `0660` (Go `strconv.ParseUint(s, 8, 32)`). */
export function parseFileMode(raw: string): ParseResult<number> {
  const value = raw.trim();
  const digits = value.replace(/^0o/i, '');
  if (!/^[0-7]{1,4}$/.test(digits)) return { ok: false, reason: 'it is not an octal mode' };
  return { ok: true, value: Number.parseInt(digits, 8) };
}
