import { Show, splitProps, type JSX } from 'solid-js';
import { Spinner } from './Spinner';

type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  /** `danger` is styled by components/settings.css, where the pages that delete things load it. */
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  block?: boolean;
  /** Shows a spinner and this text, and ignores clicks (a second submit creates nothing twice). */
  busy?: boolean;
  busyLabel?: string;
  icon?: JSX.Element;
};

export function Button(props: ButtonProps) {
  const [own, rest] = splitProps(props, [
    'variant',
    'block',
    'busy',
    'busyLabel',
    'icon',
    'children',
    'class',
  ]);
  return (
    <button
      type="button"
      {...rest}
      class={`button ${own.variant ?? 'primary'}${own.block ? ' block' : ''}${own.class ? ` ${own.class}` : ''}`}
      aria-busy={own.busy ? 'true' : undefined}
      aria-disabled={own.busy ? 'true' : undefined}
      onClick={(event) => {
        if (own.busy) {
          event.preventDefault();
          return;
        }
        const handler = rest.onClick;
        if (typeof handler === 'function') handler(event);
      }}
    >
      <Show when={own.busy} fallback={own.icon}>
        <Spinner />
      </Show>
      <span>{own.busy && own.busyLabel ? own.busyLabel : own.children}</span>
    </button>
  );
}
