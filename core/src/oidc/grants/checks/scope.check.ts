import { OAuthError } from '../../../errors/oauth.errors.js';

/** The scopes of a space-delimited `scope` parameter, without repeats. */
export function parseScope(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(' ').filter(Boolean))];
}

/**
 * RFC 6749 §6: a refresh may ask for fewer scopes than were granted, never for more; an omitted (or
 * empty) `scope` means all of them. Returns the scopes of the new access token, in the order granted.
 */
export function narrowScope(requested: string | undefined, granted: readonly string[]): string[] {
  const asked = parseScope(requested);
  if (asked.length === 0) return [...granted];
  const extra = asked.filter((s) => !granted.includes(s));
  if (extra.length > 0) {
    throw new OAuthError('invalid_scope', `The scope exceeds the original grant: ${extra.join(' ')}`);
  }
  return granted.filter((s) => asked.includes(s));
}
