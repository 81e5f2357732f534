import { useNavigate } from '@solidjs/router';
import { Match, Show, Switch, createEffect, createResource, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type User } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { KeyIcon, SignOutIcon } from '../components/icons';
import { Loading } from '../components/Spinner';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { createPasskey } from '../lib/webauthn';

/**
 * `/`: who is signed in, with sign-out. Someone not signed in goes to `/login`, or to `/setup` while
 * no user exists yet (a fresh install opened at its root). The account page will take this over.
 */
export default function Home() {
  const navigate = useNavigate();
  const [me] = createResource(async (): Promise<User | undefined> => {
    try {
      return await api.users.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  });
  createEffect(() => {
    if (me.state !== 'ready' || me()) return;
    void api.setup.status().then(
      () => navigate('/setup', { replace: true }),
      () => navigate('/login', { replace: true }),
    );
  });
  return (
    <Switch fallback={<Loading />}>
      <Match when={me.error as unknown}>
        <AuthCard title={t('error.title')}>
          <ErrorAlert error={me.error} />
        </AuthCard>
      </Match>
      <Match when={me.state === 'ready' && me()}>{(user) => <SignedIn user={user()} />}</Match>
    </Switch>
  );
}

function SignedIn(props: { user: User }) {
  const navigate = useNavigate();
  const [passkeys, { refetch }] = createResource(() => api.webauthn.credentials());
  const [signingOut, setSigningOut] = createSignal(false);
  const [adding, setAdding] = createSignal(false);
  const [added, setAdded] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  async function signOut() {
    setSigningOut(true);
    setError(undefined);
    try {
      await api.webauthn.logout();
      navigate('/login', { replace: true });
    } catch (failure) {
      setSigningOut(false);
      setError(failure);
    }
  }

  async function addPasskey() {
    setAdding(true);
    setError(undefined);
    try {
      const options = await api.webauthn.registerStart();
      await api.webauthn.registerFinish(await createPasskey(options));
      setAdded(true);
      await refetch();
    } catch (failure) {
      setError(failure);
    } finally {
      setAdding(false);
    }
  }

  const name = () => props.user.displayName || props.user.username;
  return (
    <AuthCard title={t('home.title')} description={t('home.description', { name: appName() })}>
      <div class="stack">
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <div class="profile">
          <img
            src={api.users.pictureUrl(props.user)}
            alt={t('home.avatarAlt', { name: name() })}
            width="52"
            height="52"
          />
          <div class="who">
            <span class="name" data-testid="user-name">
              {name()}
            </span>
            <span class="meta">{props.user.email ?? t('home.noEmail')}</span>
            <Show when={props.user.isAdmin}>
              <span class="badge">{t('home.admin')}</span>
            </Show>
          </div>
        </div>
        <dl class="details">
          <dt>{t('home.username')}</dt>
          <dd data-testid="user-username">{props.user.username}</dd>
          <dt>{t('home.passkeys')}</dt>
          <dd>
            <Show when={passkeys.state === 'ready'} fallback="…">
              {t('home.passkeyCount', { count: passkeys()!.length })}
            </Show>
          </dd>
        </dl>
        <Show when={added()}>
          <Alert kind="success">
            <span>{t('home.passkeyAdded')}</span>
          </Alert>
        </Show>
        <Show when={passkeys.state === 'ready' && passkeys()!.length === 0}>
          <Alert kind="warning" title={t('home.noPasskeyTitle')}>
            <span>{t('home.noPasskeyBody')}</span>
          </Alert>
          <Button block icon={<KeyIcon />} busy={adding()} onClick={() => void addPasskey()}>
            {t('home.addPasskey')}
          </Button>
        </Show>
        <Button
          variant="secondary"
          block
          icon={<SignOutIcon />}
          busy={signingOut()}
          busyLabel={t('home.signingOut')}
          onClick={() => void signOut()}
        >
          {t('home.signOut')}
        </Button>
      </div>
    </AuthCard>
  );
}
