import { OAuthError } from '../errors/oauth.errors.js';
import type { QueryValue } from '../http/route.js';
import { unstorable } from '../http/unstorable.js';

/**
 * Protocol parameters holding a character no storage can keep (`http/unstorable.ts`: U+0000 and unpaired
 * surrogates). RFC 6749 Appendix A also leaves U+0000 out of every parameter's syntax (`client_id`,
 * `state`, `code`, … are VSCHAR, %x20-7E). OAuth endpoints answer with their own errors, so they check
 * here rather than through the HTTP layer's problem answer.
 */
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
