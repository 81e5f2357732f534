import { Show, createSignal } from 'solid-js';
import { api, type User } from '../api/endpoints';
import { AccountFields } from '../components/AccountFields';
import { Alert, ErrorAlert } from '../components/Alert';
import { Button } from '../components/Button';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { TrashIcon, UploadIcon } from '../components/account-icons';
import { t } from '../i18n';
import { accountRules, createForm } from '../lib/account-form';
import { appConfig } from '../lib/app-config';
import { languageName } from '../lib/format';
import { useSession } from '../lib/session';

type ProfileField = 'firstName' | 'lastName' | 'username' | 'email' | 'displayName' | 'locale';

/**
 * The languages a person may pick for themself. The choice is stored on the account and sent to apps
 * as the `locale` claim, so it offers more than the UI's own translations (Pocket ID's list).
 */
const LOCALES = [
  'cs',
  'da',
  'de',
  'en-US',
  'es',
  'fi',
  'fr',
  'it',
  'ja',
  'ko',
  'nl',
  'pl',
  'pt-BR',
  'ru',
  'sv',
  'tr',
  'uk',
  'vi',
  'zh-CN',
  'zh-TW',
];

const PICTURE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const PICTURE_MAX_BYTES = 2 * 1024 * 1024;

const fromUser = (user: User): Record<ProfileField, string> => ({
  firstName: user.firstName,
  lastName: user.lastName ?? '',
  username: user.username,
  email: user.email ?? '',
  displayName: user.displayName,
  locale: user.locale ?? '',
});

/**
 * The person's details and picture. Name, username and email are editable only while the
 * `allowOwnAccountEdit` setting is on (the server ignores them otherwise); the language always is.
 */
export function ProfilePanel() {
  const session = useSession();
  const editable = () => appConfig().allowOwnAccountEdit;
  const form = createForm<ProfileField>('profile', fromUser(session.user()), () => ({
    ...accountRules(appConfig().requireUserEmail),
    displayName: { label: t('account.displayName'), max: 100 },
    locale: { label: t('account.locale') },
  }));
  const [saving, setSaving] = createSignal(false);
  const [saved, setSaved] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const localeOptions = () => {
    const current = session.user().locale;
    const tags = current && !LOCALES.includes(current) ? [...LOCALES, current] : LOCALES;
    return [
      { value: '', label: t('account.localeAuto') },
      ...tags
        .map((tag) => ({ value: tag, label: languageName(tag), lang: tag }))
        .sort((a, b) => a.label.localeCompare(b.label)),
    ];
  };

  async function save(event: Event) {
    event.preventDefault();
    if (saving()) return;
    setSaved(false);
    setError(undefined);
    if (editable() && !form.check()) return;
    setSaving(true);
    const v = form.values();
    const locale = v.locale || null;
    try {
      const updated = await api.users.updateMe(
        editable()
          ? {
              firstName: v.firstName.trim(),
              lastName: v.lastName.trim() || null,
              displayName: v.displayName.trim(),
              username: v.username.trim(),
              email: v.email.trim() || null,
              locale,
            }
          : // Only the language is taken; the username is there because the schema wants it.
            { username: session.user().username, locale },
      );
      session.setUser(updated);
      form.reset(fromUser(updated));
      setSaved(true);
    } catch (failure) {
      if (!form.showServerErrors(failure)) setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="profile-title">
      <div class="panel-head">
        <div>
          <h2 id="profile-title">{t('account.profileTitle')}</h2>
          <p>{t('account.profileDescription')}</p>
        </div>
      </div>
      <div class="profile-summary">
        <img
          class="avatar large"
          src={session.pictureUrl()}
          alt={t('home.avatarAlt', { name: session.user().displayName || session.user().username })}
          width="80"
          height="80"
        />
        <div class="who">
          <span class="name" data-testid="user-name">
            {session.user().displayName || session.user().username}
          </span>
          <span class="meta" data-testid="user-username">
            {session.user().username}
          </span>
          <span class="meta">{session.user().email ?? t('home.noEmail')}</span>
          <Show when={session.user().isAdmin}>
            <span class="badge">{t('home.admin')}</span>
          </Show>
          <PictureActions />
        </div>
      </div>
      <form class="stack" onSubmit={save} novalidate>
        <Show when={!editable()}>
          <Alert kind="info">
            <span>{t('account.editDisabled')}</span>
          </Alert>
        </Show>
        <AccountFields form={form} requireEmail={appConfig().requireUserEmail} disabled={!editable()} />
        <div class="row">
          <TextField
            id={form.id('displayName')}
            label={t('account.displayName')}
            hint={t('account.displayNameHint')}
            autocomplete="nickname"
            maxLength={100}
            optional
            disabled={!editable()}
            value={form.values().displayName}
            onInput={form.input('displayName')}
            error={form.errors().displayName}
          />
          <SelectField
            id={form.id('locale')}
            label={t('account.locale')}
            hint={t('account.localeHint')}
            options={localeOptions()}
            value={form.values().locale}
            onChange={form.input('locale')}
          />
        </div>
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <Show when={saved()}>
          <Alert kind="success">
            <span>{t('account.profileSaved')}</span>
          </Alert>
        </Show>
        <div class="panel-actions">
          <Button type="submit" busy={saving()} busyLabel={t('account.saving')}>
            {t('account.save')}
          </Button>
        </div>
      </form>
    </section>
  );
}

/** Upload a picture (PNG, JPEG or WebP, at most 2 MiB, as the server takes), or go back to initials. */
function PictureActions() {
  const session = useSession();
  let input!: HTMLInputElement;
  const [busy, setBusy] = createSignal<'upload' | 'remove'>();
  const [error, setError] = createSignal<unknown>();
  const [message, setMessage] = createSignal<string>();

  async function run(kind: 'upload' | 'remove', action: () => Promise<void>, done: string) {
    setBusy(kind);
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      session.pictureChanged();
      setMessage(done);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  }

  function picked() {
    const file = input.files?.[0];
    // Cleared, so choosing the same file again still fires `change`.
    input.value = '';
    if (!file || busy()) return;
    if (!PICTURE_TYPES.includes(file.type)) return setError(new Error(t('account.pictureType')));
    if (file.size > PICTURE_MAX_BYTES) return setError(new Error(t('account.pictureTooLarge')));
    void run('upload', () => api.users.uploadPicture(file), t('account.pictureUpdated'));
  }

  return (
    <div class="picture-actions">
      <input
        ref={input}
        id="profile-picture-file"
        class="visually-hidden"
        type="file"
        accept={PICTURE_TYPES.join(',')}
        tabindex="-1"
        aria-hidden="true"
        onChange={picked}
      />
      <div class="button-row">
        <Button
          variant="secondary"
          class="small"
          icon={<UploadIcon />}
          busy={busy() === 'upload'}
          busyLabel={t('account.pictureUploading')}
          disabled={busy() === 'remove'}
          onClick={() => input.click()}
        >
          {t('account.pictureUpload')}
        </Button>
        <Button
          variant="ghost"
          class="small"
          icon={<TrashIcon />}
          busy={busy() === 'remove'}
          disabled={busy() === 'upload'}
          onClick={() => void run('remove', () => api.users.removePicture(), t('account.pictureRemoved'))}
        >
          {t('account.pictureRemove')}
        </Button>
      </div>
      <span class="hint">{t('account.pictureHint')}</span>
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      <span class="picture-status" role="status">
        {message() ?? ''}
      </span>
    </div>
  );
}
