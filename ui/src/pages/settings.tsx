import { A, useLocation, useNavigate } from '@solidjs/router';
import {
  For,
  Match,
  Switch,
  createEffect,
  createResource,
  createSignal,
  onCleanup,
  type JSX,
} from 'solid-js';
import { ApiError } from '../api/client';
import { api, type User } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { ActivityIcon, AppsIcon, UserIcon } from '../components/account-icons';
import { SignOutIcon } from '../components/icons';
import { Loading } from '../components/Spinner';
import '../components/settings.css';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { currentPath } from '../lib/redirect';
import { SessionContext, pictureUrl, type Session } from '../lib/session';
import { setThemeSwitchSlot } from '../lib/theme';

const NAV = [
  { href: '/settings/account', label: () => t('account.navAccount'), icon: UserIcon },
  { href: '/settings/apps', label: () => t('apps.title'), icon: AppsIcon },
  { href: '/settings/audit-log', label: () => t('audit.title'), icon: ActivityIcon },
] as const;

/**
 * The frame of the signed-in pages (`/settings/*`, and `/`, which shows the account page): the app's
 * name, the navigation, who is signed in and sign-out. It loads the user once and shares them with the
 * page (lib/session.ts). Someone not signed in goes to `/setup` on a fresh install, else to `/login`,
 * which brings them back here afterwards.
 */
export default function Settings(props: { children?: JSX.Element }) {
  const navigate = useNavigate();
  const [me, { mutate, refetch }] = createResource(async (): Promise<User | undefined> => {
    try {
      return await api.users.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  });
  createEffect(() => {
    if (me.state !== 'ready' || me()) return;
    const here = currentPath();
    void api.setup.status().then(
      () => navigate('/setup', { replace: true }),
      () =>
        navigate(here === '/' ? '/login' : `/login?redirect=${encodeURIComponent(here)}`, {
          replace: true,
        }),
    );
  });
  return (
    <Switch fallback={<Loading />}>
      <Match when={me.error as unknown}>
        <AuthCard title={t('error.title')}>
          <div class="stack">
            <ErrorAlert error={me.error} />
            <Button variant="secondary" onClick={() => void refetch()}>
              {t('app.retry')}
            </Button>
          </div>
        </AuthCard>
      </Match>
      <Match when={me.state === 'ready' && me()}>
        {(user) => (
          <Frame user={user()} setUser={(next) => mutate(next)}>
            {props.children}
          </Frame>
        )}
      </Match>
    </Switch>
  );
}

function Frame(props: { user: User; setUser(user: User): void; children?: JSX.Element }) {
  const navigate = useNavigate();
  const location = useLocation();
  const [pictureVersion, setPictureVersion] = createSignal(0);
  const [signingOut, setSigningOut] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const session: Session = {
    user: () => props.user,
    setUser: (user) => props.setUser(user),
    pictureUrl: () => pictureUrl(props.user, pictureVersion()),
    pictureChanged: () => setPictureVersion(Date.now()),
  };
  // `/` shows the account page, so its link is the current one there too.
  const current = (href: string) =>
    location.pathname === href || (href === '/settings/account' && location.pathname === '/');

  // The shell's theme switch goes back to its own corner when the frame goes.
  onCleanup(() => setThemeSwitchSlot(undefined));

  async function signOut() {
    if (signingOut()) return;
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

  return (
    <SessionContext.Provider value={session}>
      <div class="settings">
        <header class="settings-head">
          <A class="brand" href="/settings/account">
            <img src={api.images.logo} alt="" width="28" height="28" />
            <span>{appName()}</span>
          </A>
          <div class="settings-user">
            <img class="avatar small" src={session.pictureUrl()} alt="" width="32" height="32" />
            <span class="settings-user-name">{props.user.displayName || props.user.username}</span>
            <Button
              variant="secondary"
              class="small sign-out"
              icon={<SignOutIcon />}
              busy={signingOut()}
              busyLabel={t('home.signingOut')}
              onClick={() => void signOut()}
            >
              {t('home.signOut')}
            </Button>
            {/* The shell puts its theme switch here (lib/theme.ts). */}
            <span class="theme-slot" ref={setThemeSwitchSlot} />
          </div>
        </header>
        <nav class="settings-nav" aria-label={t('account.navLabel')}>
          <For each={NAV}>
            {(item) => (
              // A plain link (the router still handles it): <A> would set its own aria-current.
              <a href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
                <item.icon />
                <span>{item.label()}</span>
              </a>
            )}
          </For>
        </nav>
        <div class="settings-main">
          {error() ? <ErrorAlert error={error()} /> : null}
          {props.children}
        </div>
      </div>
    </SessionContext.Provider>
  );
}
