import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { PasskeyIcon } from '../components/icons';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { createPasskeySignIn } from '../lib/passkey-sign-in';
import { safeRedirect } from '../lib/redirect';

/**
 * `/login`: sign in with a discoverable passkey, no username. Where the browser offers passkeys in
 * autofill, a conditional request waits in the background on the username field; pressing the button
 * aborts it (its AbortError is expected and swallowed) and runs a modal request instead
 * (lib/passkey-sign-in.ts, shared with the interaction page).
 */
export default function Login() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ redirect?: string }>();
  const [done, setDone] = createSignal(false);
  const { busy, error, signIn } = createPasskeySignIn({
    autofill: true,
    onSignedIn: () => {
      setDone(true);
      const target = safeRedirect(params.redirect);
      // The target may be a server route (/authorize…): a full navigation, not the router's.
      if (target) window.location.assign(target);
      else navigate('/', { replace: true });
    },
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
