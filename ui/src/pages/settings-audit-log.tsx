import { For, Match, Switch, createEffect, createResource, createSignal } from 'solid-js';
import type { AuditLogEntry } from '../api/endpoints';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { Button } from '../components/Button';
import { Pagination } from '../components/Pagination';
import { ActivityIcon } from '../components/account-icons';
import { Loading } from '../components/Spinner';
import { t, type MessageKey } from '../i18n';
import { appName } from '../lib/app-config';
import { formatDateTime, formatRelative } from '../lib/format';
import { settled } from '../lib/resource';

const PAGE_SIZE = 20;

/** Pocket ID's audit event names (core/src/audit/audit-log.ts) in plain words. */
const EVENTS: Record<string, MessageKey> = {
  SIGN_IN: 'audit.event.SIGN_IN',
  TOKEN_SIGN_IN: 'audit.event.TOKEN_SIGN_IN',
  REMOTE_SIGN_IN: 'audit.event.REMOTE_SIGN_IN',
  ACCOUNT_CREATED: 'audit.event.ACCOUNT_CREATED',
  NEW_CLIENT_AUTHORIZATION: 'audit.event.NEW_CLIENT_AUTHORIZATION',
  CLIENT_AUTHORIZATION: 'audit.event.CLIENT_AUTHORIZATION',
  NEW_DEVICE_CODE_AUTHORIZATION: 'audit.event.NEW_DEVICE_CODE_AUTHORIZATION',
  DEVICE_CODE_AUTHORIZATION: 'audit.event.DEVICE_CODE_AUTHORIZATION',
  PASSKEY_ADDED: 'audit.event.PASSKEY_ADDED',
  PASSKEY_REMOVED: 'audit.event.PASSKEY_REMOVED',
  PASSKEY_SIGN_COUNT_REGRESSED: 'audit.event.PASSKEY_SIGN_COUNT_REGRESSED',
};

/** The event in words, with the app or passkey it concerns where the entry names one. */
function describe(entry: AuditLogEntry): string {
  const key = EVENTS[entry.event];
  if (!key) return entry.event;
  return t(key, {
    client: entry.data.clientName || t('audit.unknownApp'),
    passkey: entry.data.passkeyName || t('audit.unnamedPasskey'),
  });
}

/** City and country, "Internal network" for private addresses, or "Unknown". */
function location(entry: AuditLogEntry): string {
  if (entry.country === 'Internal Network') return t('audit.internalNetwork');
  return [entry.city, entry.country].filter(Boolean).join(', ') || t('audit.unknown');
}

/**
 * `/settings/audit-log`: the person's own audit log (`GET /api/audit-logs`), newest first, a page at
 * a time: what happened, when, from which address, place and device. A table on wide screens; each
 * row becomes a small card at phone width (settings.css), with its column names as labels.
 */
export default function AuditLog() {
  createEffect(() => {
    document.title = `${t('audit.title')} · ${appName()}`;
  });
  const [page, setPage] = createSignal(1);
  const [entries, { refetch }] = createResource(page, (p) =>
    api.auditLogs.mine({ page: p, limit: PAGE_SIZE, sort: { column: 'createdAt', direction: 'desc' } }),
  );
  const list = () => settled(entries)?.data ?? [];

  return (
    <div class="page">
      <header class="page-head">
        <h1 id="page-title">{t('audit.title')}</h1>
        <p>{t('audit.description')}</p>
      </header>
      <Switch>
        <Match when={entries.error as unknown}>
          <section class="panel stack">
            <ErrorAlert error={entries.error} />
            <Button variant="secondary" class="small" onClick={() => void refetch()}>
              {t('app.retry')}
            </Button>
          </section>
        </Match>
        <Match when={!settled(entries)}>
          <Loading />
        </Match>
        <Match when={list().length === 0}>
          <section class="panel empty">
            <span class="empty-icon">
              <ActivityIcon />
            </span>
            <h2>{t('audit.emptyTitle')}</h2>
            <p>{t('audit.emptyBody')}</p>
          </section>
        </Match>
        <Match when={true}>
          <section class="panel flush" aria-busy={entries.loading ? 'true' : undefined}>
            <table class="audit">
              <caption class="visually-hidden">{t('audit.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.colEvent')}</th>
                  <th scope="col">{t('audit.colTime')}</th>
                  <th scope="col">{t('audit.colIp')}</th>
                  <th scope="col">{t('audit.colLocation')}</th>
                  <th scope="col">{t('audit.colDevice')}</th>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>
                  {(entry) => (
                    <tr>
                      <th scope="row" class="audit-event">
                        {describe(entry)}
                      </th>
                      <td data-label={t('audit.colTime')}>
                        <time datetime={entry.createdAt} title={formatRelative(entry.createdAt)}>
                          {formatDateTime(entry.createdAt)}
                        </time>
                      </td>
                      <td data-label={t('audit.colIp')}>
                        <span class="mono">{entry.ipAddress || t('audit.unknown')}</span>
                      </td>
                      <td data-label={t('audit.colLocation')}>{location(entry)}</td>
                      <td data-label={t('audit.colDevice')}>{entry.device || t('audit.unknown')}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </section>
          <Pagination
            label={t('audit.pagination')}
            page={settled(entries)!.pagination.currentPage}
            totalPages={settled(entries)!.pagination.totalPages}
            busy={entries.loading}
            onPage={setPage}
          />
        </Match>
      </Switch>
    </div>
  );
}
