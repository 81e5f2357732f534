import { createEffect } from 'solid-js';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { LoginCodePanel } from './account-login-code';
import { PasskeysPanel } from './account-passkeys';
import { ProfilePanel } from './account-profile';

/**
 * `/settings/account` (and `/`): who is signed in, their details and picture, their passkeys, and a
 * login code for signing in on another device. Rendered inside the settings frame (settings.tsx).
 */
export default function Account() {
  createEffect(() => {
    document.title = `${t('account.title')} · ${appName()}`;
  });
  return (
    <div class="page">
      <header class="page-head">
        <h1 id="page-title">{t('account.title')}</h1>
        <p>{t('account.description', { name: appName() })}</p>
      </header>
      <ProfilePanel />
      <PasskeysPanel />
      <LoginCodePanel />
    </div>
  );
}
