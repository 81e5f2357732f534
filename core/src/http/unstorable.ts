import type { FieldError } from '../errors/problem.errors.js';

/**
 * Characters no request value may carry into storage, refused before anything reaches it:
 *
 * - U+0000: PostgreSQL's `text` and `jsonb` cannot hold it (the statement fails: a 500 on PostgreSQL
 *   only, while SQLite stores it), and no field of ours has a use for it.
 * - Unpaired UTF-16 surrogates: JSON text can escape them in (`"\ud800"`), and `jsonb` refuses them.
 *   Percent-decoded values never hold one (invalid UTF-8 decodes to U+FFFD), but are checked the same.
 *
 * Refusing them everywhere keeps SQLite and PostgreSQL answering the same.
 */
export const UNSTORABLE = /[\0\ud800-\udfff]/u;

export const unstorable = (s: string): boolean => UNSTORABLE.test(s);

/**
 * The first place in a parsed value (JSON body, query, path parameters) where such a character sits,
 * as a field error in the validator's dotted style (`claims.0.key`); a member name counts as well.
 */
export function unstorableField(value: unknown, path = ''): FieldError | null {
  if (typeof value === 'string') return unstorable(value) ? fieldError(path) : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableField(value[i], join(path, String(i)));
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key in value) {
      if (unstorable(key)) return fieldError(path || key);
      const found = unstorableField((value as Record<string, unknown>)[key], join(path, key));
      if (found) return found;
    }
  }
  return null;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function fieldError(field: string): FieldError {
  return {
    field: field || 'body',
    code: 'invalid_characters',
    message: 'must not contain U+0000 or an unpaired surrogate',
  };
}
