import { A, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { Match, Show, Switch, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type User } from '../api/endpoints';
import { AccountFields } from '../components/AccountFields';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { Steps } from '../components/Steps';
import { PasskeyIcon } from '../components/icons';
import { t } from '../i18n';
import { accountRules, createForm } from '../lib/account-form';
import { appConfig, appName } from '../lib/app-config';
import { registerPasskey } from '../lib/passkey-registration';

/** Why this page cannot sign anyone up (the server's answer, or the setting before asking). */
type Refusal = 'disabled' | 'token-required' | 'token-invalid';

/**
 * `/signup` (open signup) and `/st/:token` (or `/signup?token=`: a signup link from an admin). The
 * details first, then the passkey, in the same click, as `/setup` does: the account exists and is
 * signed in once the server answers, so a passkey step that fails (cancelled, or a browser that wants
 * a fresh click) is offered again rather than losing the account. The server decides what the
 * `allowUserSignups` setting allows: a valid token works whatever it says.
 */
export default function Signup() {
  const navigate = useNavigate();
  const params = useParams<{ token?: string }>();
  const [search] = useSearchParams<{ token?: string }>();
  const token = () => (params.token ?? search.token)?.trim() || undefined;

  const initialRefusal = (): Refusal | undefined => {
    if (token()) return undefined;
    const mode = appConfig().allowUserSignups;
    return mode === 'open' ? undefined : mode === 'withToken' ? 'token-required' : 'disabled';
  };
  const [refusal, setRefusal] = createSignal<Refusal | undefined>(initialRefusal());
  const form = createForm('signup', { firstName: '', lastName: '', username: '', email: '' }, () =>
    accountRules(appConfig().requireUserEmail),
  );
  const [phase, setPhase] = createSignal<'idle' | 'creating' | 'registering'>('idle');
  const [error, setError] = createSignal<unknown>();
  const [user, setUser] = createSignal<User>();

  async function addPasskey() {
    setPhase('registering');
    setError(undefined);
    try {
      await registerPasskey();
      navigate('/settings/account', { replace: true });
    } catch (failure) {
      setPhase('idle');
      setError(failure);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    // A second click while the first runs creates nothing twice.
    if (phase() !== 'idle') return;
    setError(undefined);
    if (!form.check()) return;
    setPhase('creating');
    const v = form.values();
    try {
      setUser(
        await api.signup.create({
          firstName: v.firstName.trim(),
          lastName: v.lastName.trim() || null,
          username: v.username.trim(),
          email: v.email.trim() || null,
          ...(token() ? { token: token() } : {}),
        }),
      );
    } catch (failure) {
      setPhase('idle');
      if (failure instanceof ApiError && failure.code === 'token_invalid_or_expired')
        return setRefusal('token-invalid');
      if (failure instanceof ApiError && failure.code === 'open_signup_disabled')
        return setRefusal('disabled');
      if (!form.showServerErrors(failure)) setError(failure);
      return;
    }
    await addPasskey();
  }

  const signInLink = () => (
    <>
      {t('signup.haveAccount')} <A href="/login">{t('signup.signIn')}</A>
    </>
  );

  return (
    <Switch>
      <Match when={user()}>
        {(created) => (
          <AuthCard
            title={t('signup.passkeyTitle')}
            description={t('signup.passkeyDescription', { username: created().username })}
          >
            <div class="stack">
              <Steps current={2} />
              <Show when={error()}>
                <ErrorAlert error={error()} />
              </Show>
              <Button
                block
                icon={<PasskeyIcon />}
                busy={phase() !== 'idle'}
                busyLabel={t('signup.registering')}
                onClick={() => void addPasskey()}
              >
                {t('signup.addPasskey')}
              </Button>
            </div>
          </AuthCard>
        )}
      </Match>
      <Match when={refusal() === 'token-invalid'}>
        <AuthCard title={t('signup.tokenInvalidTitle')}>
          <div class="stack">
            <Alert kind="error">
              <span>{t('signup.tokenInvalidBody', { name: appName() })}</span>
            </Alert>
            <A class="button secondary block" href="/login">
              {t('signup.goToLogin')}
            </A>
          </div>
        </AuthCard>
      </Match>
      <Match when={refusal() === 'token-required'}>
        <AuthCard
          title={t('signup.tokenRequiredTitle')}
          description={t('signup.tokenRequiredBody', { name: appName() })}
        >
          <A class="button secondary block" href="/login">
            {t('signup.goToLogin')}
          </A>
        </AuthCard>
      </Match>
      <Match when={refusal() === 'disabled'}>
        <AuthCard
          title={t('signup.disabledTitle')}
          description={t('signup.disabledBody', { name: appName() })}
        >
          <A class="button secondary block" href="/login">
            {t('signup.goToLogin')}
          </A>
        </AuthCard>
      </Match>
      <Match when={true}>
        <AuthCard
          title={t('signup.title', { name: appName() })}
          description={token() ? t('signup.descriptionInvited') : t('signup.description')}
          footer={signInLink()}
          wide
        >
          <form class="stack" onSubmit={submit} novalidate>
            <Steps current={1} />
            <Show when={error()}>
              <ErrorAlert error={error()} />
            </Show>
            <AccountFields form={form} requireEmail={appConfig().requireUserEmail} />
            <Button
              type="submit"
              block
              icon={<PasskeyIcon />}
              busy={phase() !== 'idle'}
              busyLabel={phase() === 'creating' ? t('signup.creating') : t('signup.registering')}
            >
              {t('signup.submit')}
            </Button>
          </form>
        </AuthCard>
      </Match>
    </Switch>
  );
}
