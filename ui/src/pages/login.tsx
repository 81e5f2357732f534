import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { Show, createSignal } from 'solid-js';
import { Alert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { PasskeySignInForm } from '../components/PasskeySignInForm';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { safeRedirect } from '../lib/redirect';

/**
 * `/login`: sign in with a discoverable passkey, no username. Where the browser offers passkeys in
 * autofill, a conditional request waits in the background on the username field; pressing the button
 * aborts it (its AbortError is expected and swallowed) and runs a modal request instead
 * (components/PasskeySignInForm.tsx, shared with the interaction page).
 */
export default function Login() {
  const navigate = useNavigate();
  const [params] = useSearchParams<{ redirect?: string }>();
  const [done, setDone] = createSignal(false);
  const signedIn = () => {
    setDone(true);
    const target = safeRedirect(params.redirect);
    // The target may be a server route (/authorize…): a full navigation, not the router's.
    if (target) window.location.assign(target);
    else navigate('/', { replace: true });
  };

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
      <PasskeySignInForm onSignedIn={signedIn} done={done()}>
        <Show when={done()}>
          <Alert kind="success">
            <span>{t('login.signedIn')}</span>
          </Alert>
        </Show>
      </PasskeySignInForm>
    </AuthCard>
  );
}

function redirectQuery(redirect: string | undefined): string {
  const target = safeRedirect(redirect);
  return target ? `?redirect=${encodeURIComponent(target)}` : '';
}
