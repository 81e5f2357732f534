import { OAuthError } from '../errors/oauth.errors.js';
import type { QueryValue } from '../http/route.js';

/**
 * Characters refused in every protocol parameter, before anything reaches storage:
 *
 * - U+0000: PostgreSQL's `text` and `jsonb` cannot hold it (the statement fails: a 500 on PostgreSQL
 *   only), and RFC 6749 Appendix A leaves it out of every parameter's syntax (`client_id`, `state`,
 *   `code`, … are VSCHAR, %x20-7E).
 * - Unpaired UTF-16 surrogates: JSON text can escape them in (`"\ud800"`, in a request object, a
 *   `claims` value or registration metadata), and `jsonb` refuses them. Percent-decoded parameters never
 *   hold one (invalid UTF-8 decodes to U+FFFD), but are checked the same way.
 *
 * Refusing them everywhere keeps SQLite and PostgreSQL answering the same.
 */
const UNSTORABLE = /[\0\ud800-\udfff]/u;

const unstorable = (s: string): boolean => UNSTORABLE.test(s);

export function hasUnstorableCharacters(params: Record<string, QueryValue | undefined> | undefined): boolean {
  if (!params) return false;
  for (const key in params) {
    if (unstorable(key)) return true;
    const value = params[key];
    if (typeof value === 'string' ? unstorable(value) : value?.some(unstorable)) return true;
  }
  return false;
}

export const UNSTORABLE_DESCRIPTION = 'A parameter holds U+0000 or an unpaired surrogate';

/** `400 invalid_request` for a parameter holding such a character. */
export function rejectUnstorableCharacters(params: Record<string, QueryValue | undefined> | undefined): void {
  if (hasUnstorableCharacters(params)) throw new OAuthError('invalid_request', UNSTORABLE_DESCRIPTION);
}

/** Whether any string anywhere in a parsed JSON value (a member name included) holds such a character. */
export function jsonHasUnstorableCharacters(value: unknown): boolean {
  if (typeof value === 'string') return unstorable(value);
  if (Array.isArray(value)) return value.some(jsonHasUnstorableCharacters);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([k, v]) => unstorable(k) || jsonHasUnstorableCharacters(v));
  }
  return false;
}
