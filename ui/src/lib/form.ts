import type { ApiError } from '../api/client';
import { t } from '../i18n';

/**
 * Form checks in the browser, mirroring the server's schemas (core/src/users/user.schema.ts) so a
 * person sees a mistake before sending; the server still decides, and its field errors are shown the
 * same way (`serverErrors`).
 */
export interface Rule {
  label: string;
  required?: boolean;
  max?: number;
  kind?: 'username' | 'email';
}
export type Rules<F extends string> = Record<F, Rule>;
export type Errors<F extends string> = Partial<Record<F, string | undefined>>;

/** Pocket ID's username rule (USERNAME_PATTERN in core). */
const USERNAME = /^[a-zA-Z0-9]([a-zA-Z0-9_.@-]*[a-zA-Z0-9])?$/;
// Deliberately loose: the server's format check is the authority.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validate<F extends string>(values: Record<F, string>, rules: Rules<F>): Errors<F> {
  const errors: Errors<F> = {};
  for (const field of Object.keys(rules) as F[]) {
    const rule = rules[field];
    const value = values[field].trim();
    if (!value) {
      if (rule.required) errors[field] = t('field.required', { label: rule.label.toLowerCase() });
      continue;
    }
    if (rule.max !== undefined && value.length > rule.max)
      errors[field] = t('field.tooLong', { label: rule.label, max: rule.max });
    else if (rule.kind === 'username' && !USERNAME.test(value)) errors[field] = t('field.invalidUsername');
    else if (rule.kind === 'email' && !EMAIL.test(value)) errors[field] = t('field.invalidEmail');
  }
  return errors;
}

/** The server's per-field errors (`validation_failed`), in the page's words. */
export function serverErrors<F extends string>(error: ApiError, rules: Rules<F>): Errors<F> {
  const out: Errors<F> = {};
  for (const e of error.fieldErrors) {
    const field = e.field as F;
    const rule = rules[field] as Rule | undefined;
    if (!rule || out[field]) continue;
    if (e.code === 'required') out[field] = t('field.required', { label: rule.label.toLowerCase() });
    else if (e.code === 'too_long')
      out[field] = t('field.tooLong', { label: rule.label, max: rule.max ?? 0 });
    else if (e.code === 'invalid_format' && rule.kind === 'username') out[field] = t('field.invalidUsername');
    else if (e.code === 'invalid_format' && rule.kind === 'email') out[field] = t('field.invalidEmail');
    else out[field] = t('field.invalid', { label: rule.label.toLowerCase() });
  }
  return out;
}
