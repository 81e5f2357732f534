import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { Show, createSignal, onCleanup, onMount } from 'solid-js';
import { api } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { PasskeyIcon } from '../components/icons';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { safeRedirect } from '../lib/redirect';
import { PasskeyError, autofillAvailable, getPasskey, isAbort, passkeysAvailable } from '../lib/webauthn';

/**
 * `/login`: sign in with a discoverable passkey, no username. Where the browser offers passkeys in
 * autofill, a conditional request waits in the background on the username field; pressing the button
 * aborts it (its AbortError is expected and swallowed) and runs a modal request instead.
 */
export default function Login() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ redirect?: string }>();
  const [busy, setBusy] = createSignal(false);
  const [done, setDone] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let autofill: AbortController | undefined;
  let autofillRun: Promise<void> | undefined;
  let disposed = false;

  const signedIn = () => {
    setDone(true);
    const target = safeRedirect(params.redirect);
    // The target may be a server route (/authorize…): a full navigation, not the router's.
    if (target) window.location.assign(target);
    else navigate('/', { replace: true });
  };

  async function startAutofill(): Promise<void> {
    // Made before the first await, so a press of the button that comes meanwhile can cancel it.
    const controller = new AbortController();
    autofill = controller;
    if (disposed || !(await autofillAvailable()) || controller.signal.aborted) return;
    try {
      const options = await api.webauthn.loginStart(controller.signal);
      const credential = await getPasskey(options, { conditional: true, signal: controller.signal });
      setBusy(true);
      setError(undefined);
      await api.webauthn.loginFinish(credential);
      signedIn();
    } catch (failure) {
      if (controller.signal.aborted || isAbort(failure)) return;
      setBusy(false);
      setError(failure);
    }
  }

  /** Stops the background request and waits until it has settled, so its challenge cannot interfere. */
  async function stopAutofill(): Promise<void> {
    autofill?.abort();
    autofill = undefined;
    await autofillRun;
  }

  async function signIn(event?: Event) {
    event?.preventDefault();
    if (busy() || done()) return;
    setBusy(true);
    setError(undefined);
    try {
      await stopAutofill();
      if (!passkeysAvailable()) throw new PasskeyError('unavailable', 'WebAuthn is not available');
      const options = await api.webauthn.loginStart();
      const credential = await getPasskey(options);
      await api.webauthn.loginFinish(credential);
      signedIn();
    } catch (failure) {
      setBusy(false);
      setError(failure);
      // Autofill keeps working after a failed attempt.
      autofillRun = startAutofill();
    }
  }

  onMount(() => {
    if (!passkeysAvailable()) {
      setError(new PasskeyError('unavailable', 'WebAuthn is not available'));
      return;
    }
    autofillRun = startAutofill();
  });
  onCleanup(() => {
    disposed = true;
    autofill?.abort();
  });

  return (
    <AuthCard
      title={t('login.title', { name: appName() })}
      description={t('login.description')}
      footer={
        <>
          {t('login.noPasskey')}{' '}
          <A href={`/login/alternative${redirectQuery(params.redirect)}`}>{t('login.useCode')}</A>
        </>
      }
    >
      <form class="stack" onSubmit={signIn} novalidate>
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <Show when={done()}>
          <Alert kind="success">
            <span>{t('login.signedIn')}</span>
          </Alert>
        </Show>
        <TextField
          label={t('login.username')}
          hint={t('login.usernameHint')}
          name="username"
          type="text"
          autocomplete="username webauthn"
          autocapitalize="none"
          spellcheck={false}
        />
        <Button
          type="submit"
          block
          icon={<PasskeyIcon />}
          busy={busy() || done()}
          busyLabel={t('login.busy')}
        >
          {t('login.button')}
        </Button>
      </form>
    </AuthCard>
  );
}

function redirectQuery(redirect: string | undefined): string {
  const target = safeRedirect(redirect);
  return target ? `?redirect=${encodeURIComponent(target)}` : '';
}
