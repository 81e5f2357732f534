import { createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { t } from '../i18n';
import { serverErrors, validate, type Errors, type Rules } from './form';

/** The person's own details, as signup and the account page ask for them. */
export type AccountField = 'firstName' | 'lastName' | 'username' | 'email';

/** The rules of core/src/users/user.schema.ts (first name required, as Pocket ID's forms have it). */
export function accountRules(requireEmail: boolean): Rules<AccountField> {
  return {
    firstName: { label: t('account.firstName'), required: true, max: 50 },
    lastName: { label: t('account.lastName'), max: 50 },
    username: { label: t('account.username'), required: true, max: 50, kind: 'username' },
    email: { label: t('account.email'), required: requireEmail, max: 254, kind: 'email' },
  };
}

export interface FormState<F extends string> {
  values(): Record<F, string>;
  errors(): Errors<F>;
  /** The `id` of a field's input: `<prefix>-<field>`. */
  id(field: F): string;
  /** An input handler that updates the field and clears its error. */
  input(field: F): (event: { currentTarget: { value: string } }) => void;
  reset(values: Record<F, string>): void;
  /** Checks in the browser and focuses the first field at fault; true when every field is fine. */
  check(): boolean;
  /**
   * Shows a failed request's per-field errors: `validation_failed` (400) and `already_in_use` (409,
   * naming the taken field); true when there was one, and the first field at fault has the focus.
   */
  showServerErrors(error: unknown): boolean;
}

export function createForm<F extends string>(
  prefix: string,
  initial: Record<F, string>,
  rules: () => Rules<F>,
): FormState<F> {
  const [values, setValues] = createSignal<Record<F, string>>(initial);
  const [errors, setErrors] = createSignal<Errors<F>>({});
  const id = (field: F) => `${prefix}-${field}`;
  const show = (found: Errors<F>): boolean => {
    setErrors(() => found);
    const first = (Object.keys(found) as F[]).find((field) => found[field]);
    if (first) document.getElementById(id(first))?.focus();
    return first !== undefined;
  };
  return {
    values,
    errors,
    id,
    input: (field) => (event) => {
      setValues((current) => ({ ...current, [field]: event.currentTarget.value }));
      if (errors()[field]) setErrors((current) => ({ ...current, [field]: undefined }));
    },
    reset(next) {
      setValues(() => next);
      setErrors(() => ({}));
    },
    check: () => !show(validate(values(), rules())),
    showServerErrors(error) {
      if (!(error instanceof ApiError)) return false;
      const all = rules();
      if (error.code === 'already_in_use') {
        const field = error.problem?.details?.property as F | undefined;
        const rule = field ? all[field] : undefined;
        if (!field || !rule) return false;
        return show({ [field]: t('account.alreadyInUse', { label: rule.label.toLowerCase() }) } as Errors<F>);
      }
      return error.fieldErrors.length > 0 && show(serverErrors(error, all));
    },
  };
}
