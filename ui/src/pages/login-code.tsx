import { A, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { safeRedirect } from '../lib/redirect';

/**
 * `/login/alternative` (type a login code) and `/lc/:code` (a login link). The link's page spends the
 * code only when the person presses Continue: the server never spends one on a GET, and a page that
 * posted by itself would let a link previewer that runs scripts burn it.
 */
export default function LoginCode() {
  const params = useParams<{ code?: string }>();
  const [search] = useSearchParams<{ redirect?: string }>();
  const navigate = useNavigate();
  const [code, setCode] = createSignal('');
  const [fieldError, setFieldError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const fromLink = () => params.code !== undefined;

  async function exchange(value: string) {
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.loginCodes.exchange(value);
      const target = safeRedirect(search.redirect);
      if (target) window.location.assign(target);
      else navigate('/', { replace: true });
    } catch (failure) {
      setBusy(false);
      // Wrong, used and expired codes answer alike (the server tells them apart to nobody).
      setError(
        failure instanceof ApiError && failure.code === 'token_invalid_or_expired'
          ? new Error(t('loginCode.invalid'))
          : failure,
      );
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const value = code().trim();
    if (!value) {
      setFieldError(t('field.required', { label: t('loginCode.label').toLowerCase() }));
      document.getElementById('login-code')?.focus();
      return;
    }
    void exchange(value);
  }

  return (
    <Show
      when={fromLink()}
      fallback={
        <AuthCard
          title={t('loginCode.title')}
          description={t('loginCode.description')}
          footer={<A href="/login">{t('loginCode.backToPasskey')}</A>}
        >
          <form class="stack" onSubmit={submit} novalidate>
            <Show when={error()}>
              <ErrorAlert error={error()} />
            </Show>
            <TextField
              id="login-code"
              class="code"
              label={t('loginCode.label')}
              autocomplete="one-time-code"
              autocapitalize="none"
              spellcheck={false}
              value={code()}
              onInput={(e) => {
                setCode(e.currentTarget.value);
                setFieldError(undefined);
              }}
              error={fieldError()}
            />
            <Button type="submit" block busy={busy()} busyLabel={t('loginCode.busy')}>
              {t('loginCode.button')}
            </Button>
          </form>
        </AuthCard>
      }
    >
      <AuthCard
        title={t('loginCode.linkTitle')}
        description={t('loginCode.linkDescription', { name: appName() })}
        footer={<A href="/login">{t('loginCode.backToPasskey')}</A>}
      >
        <div class="stack">
          <Show when={error()}>
            <ErrorAlert error={error()} />
          </Show>
          <Button
            block
            busy={busy()}
            busyLabel={t('loginCode.busy')}
            onClick={() => void exchange(params.code!)}
          >
            {t('loginCode.continue')}
          </Button>
        </div>
      </AuthCard>
    </Show>
  );
}
