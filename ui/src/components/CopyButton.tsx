import { Show, createSignal, onCleanup } from 'solid-js';
import { t } from '../i18n';
import { CopyIcon } from './account-icons';
import { Button } from './Button';
import { CheckIcon } from './icons';

/** Copies `value` to the clipboard and says so (visibly, and to screen readers). */
export function CopyButton(props: { value: string; label: string }) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setState('copied');
    } catch {
      // No clipboard access (a policy, or an insecure address): the person copies it by hand.
      setState('failed');
    }
    clearTimeout(timer);
    timer = setTimeout(() => setState('idle'), 2500);
  }

  return (
    <span class="copy">
      <Button
        variant="secondary"
        class="small"
        aria-label={props.label}
        title={props.label}
        icon={state() === 'copied' ? <CheckIcon /> : <CopyIcon />}
        onClick={() => void copy()}
      >
        {state() === 'copied' ? t('account.copied') : t('account.copy')}
      </Button>
      <span class="visually-hidden" role="status">
        {state() === 'copied' ? t('account.copiedStatus') : ''}
      </span>
      <Show when={state() === 'failed'}>
        <span class="copy-failed" role="alert">
          {t('account.copyFailed')}
        </span>
      </Show>
    </span>
  );
}
