import { For, Match, Show, Switch, createResource, createSignal } from 'solid-js';
import { api, type Passkey } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { Button } from '../components/Button';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PencilIcon, PlusIcon, TrashIcon } from '../components/account-icons';
import { PasskeyIcon } from '../components/icons';
import { Loading } from '../components/Spinner';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { formatDate, formatDateTime, formatRelative } from '../lib/format';
import { registerPasskey } from '../lib/passkey-registration';
import { settled } from '../lib/resource';

/**
 * The person's passkeys: each with when it was added and last used; add one (then name it), rename,
 * delete after a confirmation. The server lets the last passkey go too, so the dialog warns that only
 * a login code gets the person back in then.
 */
export function PasskeysPanel() {
  const [passkeys, { refetch, mutate }] = createResource(() => api.webauthn.credentials());
  const [adding, setAdding] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [notice, setNotice] = createSignal<string>();
  const [renaming, setRenaming] = createSignal<string>();
  const [deleting, setDeleting] = createSignal<Passkey>();

  const list = () => settled(passkeys) ?? [];

  async function add() {
    if (adding()) return;
    setAdding(true);
    setError(undefined);
    setNotice(undefined);
    setRenaming(undefined);
    try {
      const created = await registerPasskey();
      await refetch();
      setNotice(t('account.passkeyAdded'));
      // Pocket ID's habit: a new passkey is named right away (the server calls it "New Passkey").
      setRenaming(created.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setAdding(false);
    }
  }

  async function remove(passkey: Passkey) {
    await api.webauthn.remove(passkey.id);
    mutate(list().filter((p) => p.id !== passkey.id));
    setNotice(t('account.passkeyDeleted', { name: passkey.name }));
  }

  return (
    <section class="panel" aria-labelledby="passkeys-title">
      <div class="panel-head">
        <div>
          <h2 id="passkeys-title" tabindex="-1">
            {t('account.passkeysTitle')}
            <Show when={settled(passkeys)}>
              {' '}
              <span class="count">{t('account.passkeyCount', { count: list().length })}</span>
            </Show>
          </h2>
          <p>{t('account.passkeysDescription')}</p>
        </div>
        <Button
          variant="secondary"
          class="small"
          icon={<PlusIcon />}
          busy={adding()}
          busyLabel={t('account.passkeyAdding')}
          onClick={() => void add()}
        >
          {t('account.passkeyAdd')}
        </Button>
      </div>
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      <Show when={notice()}>
        <Alert kind="success">
          <span>{notice()}</span>
        </Alert>
      </Show>
      <Switch>
        <Match when={passkeys.error as unknown}>
          <ErrorAlert error={passkeys.error} />
          <Button variant="secondary" class="small" onClick={() => void refetch()}>
            {t('app.retry')}
          </Button>
        </Match>
        <Match when={!settled(passkeys)}>
          <Loading />
        </Match>
        <Match when={list().length === 0}>
          <Alert kind="warning" title={t('home.noPasskeyTitle')}>
            <span>{t('home.noPasskeyBody')}</span>
          </Alert>
        </Match>
        <Match when={true}>
          <ul class="items" aria-labelledby="passkeys-title">
            <For each={list()}>
              {(passkey) => (
                <PasskeyItem
                  passkey={passkey}
                  renaming={renaming() === passkey.id}
                  onRename={() => {
                    setNotice(undefined);
                    setRenaming(passkey.id);
                  }}
                  onRenamed={(updated) => {
                    mutate(list().map((p) => (p.id === updated.id ? updated : p)));
                    setRenaming(undefined);
                    setNotice(t('account.passkeyRenamed', { name: updated.name }));
                  }}
                  onCancel={() => setRenaming(undefined)}
                  onDelete={() => setDeleting(passkey)}
                />
              )}
            </For>
          </ul>
        </Match>
      </Switch>
      <ConfirmDialog
        open={deleting() !== undefined}
        title={t('account.passkeyDeleteTitle', { name: deleting()?.name ?? '' })}
        confirmLabel={t('account.delete')}
        busyLabel={t('account.deleting')}
        danger
        onConfirm={() => remove(deleting()!)}
        onClose={() => setDeleting(undefined)}
        focusAfter={() => document.getElementById('passkeys-title')}
      >
        <p>{t('account.passkeyDeleteBody')}</p>
        <Show when={list().length === 1}>
          <Alert kind="warning" title={t('account.passkeyDeleteLastTitle')}>
            <span>{t('account.passkeyDeleteLastBody')}</span>
          </Alert>
        </Show>
      </ConfirmDialog>
    </section>
  );
}

function PasskeyItem(props: {
  passkey: Passkey;
  renaming: boolean;
  onRename(): void;
  onRenamed(passkey: Passkey): void;
  onCancel(): void;
  onDelete(): void;
}) {
  return (
    <li class="item">
      <span class="item-icon">
        <PasskeyIcon />
      </span>
      <Show
        when={props.renaming}
        fallback={
          <>
            <div class="item-main">
              <span class="item-title">
                {props.passkey.name}
                <Show when={props.passkey.backupState}>
                  {' '}
                  <span class="badge">{t('account.passkeySynced')}</span>
                </Show>
              </span>
              <span class="item-meta">
                <span title={formatDateTime(props.passkey.createdAt)}>
                  {t('account.passkeyCreated', { date: formatDate(props.passkey.createdAt) })}
                </span>
                <span aria-hidden="true"> · </span>
                <Show when={props.passkey.lastUsedAt} fallback={<span>{t('account.passkeyNeverUsed')}</span>}>
                  {(used) => (
                    <span title={formatDateTime(used())}>
                      {t('account.passkeyLastUsed', { when: formatRelative(used()) })}
                    </span>
                  )}
                </Show>
              </span>
            </div>
            <div class="item-actions">
              <Button
                variant="ghost"
                class="icon"
                icon={<PencilIcon />}
                aria-label={t('account.passkeyRename', { name: props.passkey.name })}
                title={t('account.passkeyRename', { name: props.passkey.name })}
                onClick={() => props.onRename()}
              />
              <Button
                variant="ghost"
                class="icon danger-text"
                icon={<TrashIcon />}
                aria-label={t('account.passkeyDelete', { name: props.passkey.name })}
                title={t('account.passkeyDelete', { name: props.passkey.name })}
                onClick={() => props.onDelete()}
              />
            </div>
          </>
        }
      >
        <RenameForm passkey={props.passkey} onRenamed={props.onRenamed} onCancel={props.onCancel} />
      </Show>
    </li>
  );
}

function RenameForm(props: { passkey: Passkey; onRenamed(passkey: Passkey): void; onCancel(): void }) {
  const [name, setName] = createSignal(props.passkey.name);
  const [fieldError, setFieldError] = createSignal<string>();
  const [error, setError] = createSignal<unknown>();
  const [saving, setSaving] = createSignal(false);
  const id = `passkey-name-${props.passkey.id}`;

  async function save(event: Event) {
    event.preventDefault();
    if (saving()) return;
    const value = name().trim();
    if (!value) return setFieldError(t('field.required', { label: t('account.passkeyName').toLowerCase() }));
    setSaving(true);
    setError(undefined);
    try {
      props.onRenamed(await api.webauthn.rename(props.passkey.id, value));
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form
      class="rename"
      onSubmit={save}
      onKeyDown={(event) => {
        if (event.key === 'Escape') props.onCancel();
      }}
      novalidate
    >
      <TextField
        id={id}
        ref={(el: HTMLInputElement) =>
          queueMicrotask(() => {
            el.focus();
            el.select();
          })
        }
        label={t('account.passkeyName')}
        maxLength={50}
        autocomplete="off"
        value={name()}
        onInput={(event) => {
          setName(event.currentTarget.value);
          setFieldError(undefined);
        }}
        error={fieldError()}
      />
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      <div class="button-row">
        <Button type="submit" class="small" busy={saving()} busyLabel={t('account.saving')}>
          {t('account.passkeySaveName')}
        </Button>
        <Button variant="ghost" class="small" onClick={() => props.onCancel()}>
          {t('account.cancel')}
        </Button>
      </div>
    </form>
  );
}
