import { Show } from 'solid-js';
import { t } from '../i18n';
import { ChevronLeftIcon, ChevronRightIcon } from './account-icons';
import { Button } from './Button';

/** Previous / next for a paginated list (Pocket ID's envelope); hidden when there is one page. */
export function Pagination(props: {
  label: string;
  page: number;
  totalPages: number;
  busy?: boolean;
  onPage: (page: number) => void;
}) {
  return (
    <Show when={props.totalPages > 1}>
      <nav class="pager" aria-label={props.label}>
        <Button
          variant="secondary"
          class="small"
          icon={<ChevronLeftIcon />}
          disabled={props.page <= 1 || props.busy}
          onClick={() => props.onPage(props.page - 1)}
        >
          {t('account.previousPage')}
        </Button>
        <span class="pager-status" aria-live="polite">
          {t('account.pageOf', { page: props.page, pages: props.totalPages })}
        </span>
        <Button
          variant="secondary"
          class="small"
          disabled={props.page >= props.totalPages || props.busy}
          onClick={() => props.onPage(props.page + 1)}
        >
          {t('account.nextPage')}
          <ChevronRightIcon />
        </Button>
      </nav>
    </Show>
  );
}
