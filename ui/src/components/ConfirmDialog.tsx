import { Show, createEffect, createSignal, createUniqueId, type JSX } from 'solid-js';
import { t } from '../i18n';
import { ErrorAlert } from './Alert';
import { Button } from './Button';

/**
 * A modal question before something that cannot be undone (a native `<dialog>`: focus moves into it and
 * stays there, Escape cancels, focus returns afterwards). The confirm action runs in the dialog, which
 * stays open with the server's `detail` if it fails, and ignores a second click while it runs.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  busyLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /**
   * Where focus goes after closing when the control that opened the dialog is gone (the deleted
   * item's button), so keyboard users are not dropped at the top of the page.
   */
  focusAfter?: () => HTMLElement | null | undefined;
}) {
  let dialog!: HTMLDialogElement;
  const id = createUniqueId();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  createEffect(() => {
    if (props.open && !dialog.open) {
      setError(undefined);
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  });

  async function confirm() {
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        if (busy()) event.preventDefault();
      }}
      onClose={() => {
        props.onClose();
        // The browser has put focus back by now, or lost it with the opener.
        if (!document.activeElement || document.activeElement === document.body)
          props.focusAfter?.()?.focus();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div id={`${id}-body`} class="dialog-body">
        {props.children}
      </div>
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      <div class="dialog-actions">
        <Button variant="secondary" autofocus disabled={busy()} onClick={() => dialog.close()}>
          {t('account.cancel')}
        </Button>
        <Button
          variant={props.danger ? 'danger' : 'primary'}
          busy={busy()}
          busyLabel={props.busyLabel}
          onClick={() => void confirm()}
        >
          {props.confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
