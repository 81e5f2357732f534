import { For, Show, createUniqueId, splitProps, type JSX } from 'solid-js';

type SelectFieldProps = JSX.SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  /** `lang` marks a label written in another language (a language's own name), for screen readers. */
  options: { value: string; label: string; lang?: string }[];
  hint?: string;
  error?: string;
};

/** A labelled `<select>`, like TextField: hint and error tied to it for assistive technology. */
export function SelectField(props: SelectFieldProps) {
  const [own, rest] = splitProps(props, ['label', 'options', 'hint', 'error', 'id', 'value']);
  const id = own.id ?? createUniqueId();
  const describedBy = () =>
    [own.hint ? `${id}-hint` : '', own.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{own.label}</label>
      <select
        id={id}
        {...rest}
        aria-invalid={own.error ? 'true' : undefined}
        aria-describedby={describedBy()}
      >
        <For each={own.options}>
          {(option) => (
            <option value={option.value} lang={option.lang} selected={option.value === own.value}>
              {option.label}
            </option>
          )}
        </For>
      </select>
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
