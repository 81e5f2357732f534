import { Show, createUniqueId, splitProps, type JSX } from 'solid-js';
import { t } from '../i18n';

type TextFieldProps = JSX.InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: string;
  error?: string;
  optional?: boolean;
};

/** A labelled input with its hint and error tied to it for assistive technology. */
export function TextField(props: TextFieldProps) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'optional', 'id']);
  const id = own.id ?? createUniqueId();
  const describedBy = () =>
    [own.hint ? `${id}-hint` : '', own.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>
        {own.label}
        <Show when={own.optional}>
          {' '}
          <span class="optional">{t('field.optional')}</span>
        </Show>
      </label>
      <input
        id={id}
        {...rest}
        aria-invalid={own.error ? 'true' : undefined}
        aria-describedby={describedBy()}
      />
      <Show when={own.hint}>
        <span class="hint" id={`${id}-hint`}>
          {own.hint}
        </span>
      </Show>
      <Show when={own.error}>
        <span class="error" id={`${id}-error`}>
          {own.error}
        </span>
      </Show>
    </div>
  );
}
