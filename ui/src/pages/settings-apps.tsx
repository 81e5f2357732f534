import { For, Match, Show, Switch, createEffect, createResource, createSignal } from 'solid-js';
import { api, type MyApp } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { Button } from '../components/Button';
import { ClientLogo, clientLogos } from '../components/ClientLogo';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Pagination } from '../components/Pagination';
import { AppsIcon, BanIcon, ChevronDownIcon, ExternalIcon } from '../components/account-icons';
import { Loading } from '../components/Spinner';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { formatDateTime, formatRelative } from '../lib/format';
import { settled } from '../lib/resource';

const PAGE_SIZE = 12;

/** A card's app: "my apps" entries as they come; authorized ones flattened to the same shape. */
type AppEntry = MyApp;

/** Only http(s) launch URLs become links: the admin's field must not run script in this page. */
function launchable(url: string | null): URL | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `/settings/apps`: the apps the person may sign in to that have a launch URL (as Pocket ID shows
 * them), most recently used first, each opening in a new tab; an app they have authorized can have
 * that authorization taken back (its consent and tokens), after a confirmation. Authorized apps without
 * a launch URL are behind "Show other authorized apps", where revoking one removes it from the list.
 */
export default function MyApps() {
  createEffect(() => {
    document.title = `${t('apps.title')} · ${appName()}`;
  });
  const [page, setPage] = createSignal(1);
  const [hiddenPage, setHiddenPage] = createSignal(1);
  const [showHidden, setShowHidden] = createSignal(false);
  const [apps, { refetch: refetchApps }] = createResource(page, (p) =>
    api.apps.mine({
      page: p,
      limit: PAGE_SIZE,
      sort: { column: 'lastUsedAt', direction: 'desc' },
      filters: { hasLaunchURL: [true] },
    }),
  );
  const [hidden, { refetch: refetchHidden }] = createResource(hiddenPage, (p) =>
    api.apps.authorized({
      page: p,
      limit: PAGE_SIZE,
      sort: { column: 'lastUsedAt', direction: 'desc' },
      filters: { hasLaunchURL: [false] },
    }),
  );
  const [revoking, setRevoking] = createSignal<AppEntry>();
  const [notice, setNotice] = createSignal<string>();

  const appList = () => settled(apps)?.data ?? [];
  const hiddenList = (): AppEntry[] =>
    (settled(hidden)?.data ?? []).map((entry) => ({ ...entry.client, lastUsedAt: entry.lastUsedAt }));
  const hiddenCount = () => settled(hidden)?.pagination.totalItems ?? 0;

  async function revoke(app: AppEntry) {
    await api.apps.revoke(app.id);
    setNotice(t('apps.revoked', { name: app.name }));
    await Promise.all([refetchApps(), refetchHidden()]);
    if (hiddenCount() === 0) setShowHidden(false);
  }

  return (
    <div class="page">
      <header class="page-head">
        <h1 id="page-title" tabindex="-1">
          {t('apps.title')}
        </h1>
        <p>{t('apps.description', { name: appName() })}</p>
      </header>
      <Show when={notice()}>
        <Alert kind="success">
          <span>{notice()}</span>
        </Alert>
      </Show>
      <Switch>
        <Match when={apps.error as unknown}>
          <section class="panel stack">
            <ErrorAlert error={apps.error} />
            <Button variant="secondary" class="small" onClick={() => void refetchApps()}>
              {t('app.retry')}
            </Button>
          </section>
        </Match>
        <Match when={!settled(apps)}>
          <Loading />
        </Match>
        <Match when={appList().length === 0}>
          <section class="panel empty">
            <span class="empty-icon">
              <AppsIcon />
            </span>
            <h2>{t('apps.emptyTitle')}</h2>
            <p>{t('apps.emptyBody')}</p>
          </section>
        </Match>
        <Match when={true}>
          <ul class="app-grid" aria-label={t('apps.listLabel')}>
            <For each={appList()}>{(app) => <AppCard app={app} onRevoke={() => setRevoking(app)} />}</For>
          </ul>
          <Pagination
            label={t('apps.pagination')}
            page={settled(apps)!.pagination.currentPage}
            totalPages={settled(apps)!.pagination.totalPages}
            busy={apps.loading}
            onPage={setPage}
          />
        </Match>
      </Switch>
      <Show when={hiddenCount() > 0}>
        <div class="more">
          <Button
            variant="ghost"
            class="small"
            aria-expanded={showHidden() ? 'true' : 'false'}
            aria-controls="hidden-apps"
            onClick={() => setShowHidden(!showHidden())}
          >
            {showHidden() ? t('apps.hideHidden') : t('apps.showHidden', { count: hiddenCount() })}
            <span class={`chevron${showHidden() ? ' open' : ''}`}>
              <ChevronDownIcon />
            </span>
          </Button>
        </div>
      </Show>
      <Show when={showHidden()}>
        <section id="hidden-apps" class="stack" aria-labelledby="hidden-apps-title">
          <div class="section-head">
            <h2 id="hidden-apps-title">{t('apps.hiddenTitle')}</h2>
            <p>{t('apps.hiddenDescription')}</p>
          </div>
          <Show when={hidden.error as unknown}>
            <ErrorAlert error={hidden.error} />
          </Show>
          <ul class="app-grid" aria-labelledby="hidden-apps-title">
            <For each={hiddenList()}>{(app) => <AppCard app={app} onRevoke={() => setRevoking(app)} />}</For>
          </ul>
          <Show when={settled(hidden)}>
            <Pagination
              label={t('apps.hiddenPagination')}
              page={settled(hidden)!.pagination.currentPage}
              totalPages={settled(hidden)!.pagination.totalPages}
              busy={hidden.loading}
              onPage={setHiddenPage}
            />
          </Show>
        </section>
      </Show>
      <ConfirmDialog
        open={revoking() !== undefined}
        title={t('apps.revokeTitle', { name: revoking()?.name ?? '' })}
        confirmLabel={t('apps.revoke')}
        busyLabel={t('apps.revoking')}
        danger
        onConfirm={() => revoke(revoking()!)}
        onClose={() => setRevoking(undefined)}
        focusAfter={() => document.getElementById('page-title')}
      >
        <p>{t('apps.revokeBody', { name: revoking()?.name ?? '' })}</p>
      </ConfirmDialog>
    </div>
  );
}

function AppCard(props: { app: AppEntry; onRevoke(): void }) {
  const url = () => launchable(props.app.launchURL);
  const titleId = `app-${props.app.id}`;
  return (
    <li class="app-card" aria-labelledby={titleId}>
      <div class="app-top">
        <span class="app-logo">
          <ClientLogo name={props.app.name} {...clientLogos(props.app)} />
        </span>
        <div class="app-text">
          <h3 id={titleId}>{props.app.name}</h3>
          <Show when={url()}>{(u) => <span class="app-host">{u().host}</span>}</Show>
          <Show when={props.app.description}>
            <p class="app-description">{props.app.description}</p>
          </Show>
        </div>
      </div>
      <div class="app-foot">
        <span class="app-used">
          <Show when={props.app.lastUsedAt} fallback={t('apps.neverUsed')}>
            {(used) => (
              <span title={formatDateTime(used())}>
                {t('apps.lastUsed', { when: formatRelative(used()) })}
              </span>
            )}
          </Show>
        </span>
        <div class="button-row">
          <Show when={props.app.lastUsedAt}>
            <Button
              variant="ghost"
              class="small danger-text"
              icon={<BanIcon />}
              aria-label={t('apps.revokeFor', { name: props.app.name })}
              onClick={() => props.onRevoke()}
            >
              {t('apps.revoke')}
            </Button>
          </Show>
          <Show when={url()}>
            {(u) => (
              <a class="button primary small" href={u().href} target="_blank" rel="noopener noreferrer">
                <span>{t('apps.open')}</span>
                <span class="visually-hidden">{t('apps.openFor', { name: props.app.name })}</span>
                <ExternalIcon />
              </a>
            )}
          </Show>
        </div>
      </div>
    </li>
  );
}
