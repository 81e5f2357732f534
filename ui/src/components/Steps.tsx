import { t } from '../i18n';

/**
 * "Step n of 2" of creating an account: the details, then the passkey. Drawn as two bars; the
 * words are for screen readers.
 */
export function Steps(props: { current: 1 | 2 }) {
  return (
    <>
      <ol class="steps" aria-hidden="true">
        <li
          class={props.current > 1 ? 'done' : undefined}
          aria-current={props.current === 1 ? 'step' : undefined}
        />
        <li aria-current={props.current === 2 ? 'step' : undefined} />
      </ol>
      <p class="visually-hidden">{t('newAccount.step', { step: props.current })}</p>
    </>
  );
}
