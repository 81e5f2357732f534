import { t } from '../i18n';

/** A spinner for buttons (its label is the button's busy text). */
export function Spinner() {
  return <span class="spinner" aria-hidden="true" />;
}

/** A whole-area loading state, announced politely. */
export function Loading(props: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner large" aria-hidden="true" />
      <span>{props.label ?? t('app.loading')}</span>
    </div>
  );
}
