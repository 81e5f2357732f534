import { A, useParams, useSearchParams } from '@solidjs/router';
import { Match, Switch, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { Alert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { CreateAccount } from '../components/CreateAccount';
import { t } from '../i18n';
import { appConfig, appName } from '../lib/app-config';

/** Why this page cannot sign anyone up (the server's answer, or the setting before asking). */
type Refusal = 'disabled' | 'token-required' | 'token-invalid';

/**
 * `/signup` (open signup) and `/st/:token` (or `/signup?token=`: a signup link from an admin): the
 * details, then the passkey, in the same click, as `/setup` does (components/CreateAccount.tsx). The
 * server decides what the `allowUserSignups` setting allows: a valid token works whatever it says.
 */
export default function Signup() {
  const params = useParams<{ token?: string }>();
  const [search] = useSearchParams<{ token?: string }>();
  const token = () => (params.token ?? search.token)?.trim() || undefined;

  const initialRefusal = (): Refusal | undefined => {
    if (token()) return undefined;
    const mode = appConfig().allowUserSignups;
    return mode === 'open' ? undefined : mode === 'withToken' ? 'token-required' : 'disabled';
  };
  const [refusal, setRefusal] = createSignal<Refusal | undefined>(initialRefusal());

  /** The server's refusals replace the form with a page that says so. */
  const refused = (failure: unknown): boolean => {
    if (!(failure instanceof ApiError)) return false;
    if (failure.code === 'token_invalid_or_expired') setRefusal('token-invalid');
    else if (failure.code === 'open_signup_disabled') setRefusal('disabled');
    else return false;
    return true;
  };

  return (
    <Switch>
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
        <CreateAccount
          prefix="signup"
          title={t('signup.title', { name: appName() })}
          description={token() ? t('signup.descriptionInvited') : t('signup.description')}
          footer={
            <>
              {t('signup.haveAccount')} <A href="/login">{t('signup.signIn')}</A>
            </>
          }
          create={(account) => api.signup.create({ ...account, ...(token() ? { token: token() } : {}) })}
          refused={refused}
          next="/settings/account"
        />
      </Match>
    </Switch>
  );
}
