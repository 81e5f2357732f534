import { A } from '@solidjs/router';
import { Match, Switch, createResource } from 'solid-js';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { CreateAccount } from '../components/CreateAccount';
import { Loading } from '../components/Spinner';
import { t } from '../i18n';
import { appName } from '../lib/app-config';

/**
 * `/setup`: creates the first administrator, only while no user exists, then registers their passkey
 * in the same click (components/CreateAccount.tsx, as signup does).
 */
export default function Setup() {
  // true while setup is open; false once a user exists (404 setup_not_available).
  const [open] = createResource(async () => {
    try {
      await api.setup.status();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  });

  return (
    <Switch fallback={<Loading />}>
      <Match when={open.error as unknown}>
        <AuthCard title={t('error.title')}>
          <ErrorAlert error={open.error} />
        </AuthCard>
      </Match>
      <Match when={open() === false}>
        <AuthCard title={t('setup.doneTitle')} description={t('setup.doneDescription', { name: appName() })}>
          <A class="button primary block" href="/login">
            {t('setup.goToLogin')}
          </A>
        </AuthCard>
      </Match>
      <Match when={open() === true}>
        <CreateAccount
          prefix="setup"
          title={t('setup.title', { name: appName() })}
          description={t('setup.description')}
          create={(account) => api.setup.create(account)}
          next="/"
        />
      </Match>
    </Switch>
  );
}
