import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { Match, Show, Switch, createResource, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type ClientMeta, type User } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { AppAndClient, clientLogos } from '../components/ClientLogo';
import { SignOutIcon } from '../components/icons';
import { Outcome } from '../components/Outcome';
import { SignedInAs } from '../components/SignedInAs';
import { Loading } from '../components/Spinner';
import { t } from '../i18n';
import { appName } from '../lib/app-config';

/**
 * `/logout`: the confirmation of RP-initiated logout (docs/endpoints.md "Logout"), where end-session
 * sends the browser when it does not sign out by itself (no `id_token_hint`). The server puts
 * `client_id`, a verified `post_logout_redirect_uri` and `state` in this page's address; since anyone
 * can type such an address, the page asks the server again which return address it verifies
 * (`verifiedLogoutTarget`) and offers only that one.
 */
export default function Logout() {
  const [params] = useSearchParams<{
    client_id?: string;
    post_logout_redirect_uri?: string;
    state?: string;
  }>();
  const [data] = createResource(async () => {
    const clientId = params.client_id;
    const [user, client, target] = await Promise.all([
      api.users.me().catch(orNull(401)),
      clientId ? api.oidc.client(clientId).catch(orNull(404)) : null,
      clientId
        ? api.oidc
            .verifiedLogoutTarget({
              client_id: clientId,
              post_logout_redirect_uri: params.post_logout_redirect_uri,
              state: params.state,
            })
            .catch(() => undefined)
        : undefined,
    ]);
    return { user, client, target };
  });
  return (
    <Switch fallback={<Loading />}>
      <Match when={data.error as unknown}>
        <AuthCard title={t('error.title')}>
          <ErrorAlert error={data.error} />
        </AuthCard>
      </Match>
      <Match when={data.state === 'ready' && data()}>{(loaded) => <Confirm {...loaded()} />}</Match>
    </Switch>
  );
}

/** A failure with this status means "nothing there"; anything else is an error to show. */
const orNull =
  (status: number) =>
  (error: unknown): null => {
    if (error instanceof ApiError && error.status === status) return null;
    throw error;
  };

function Confirm(props: { user: User | null; client: ClientMeta | null; target: string | undefined }) {
  const navigate = useNavigate();
  const [phase, setPhase] = createSignal<'ask' | 'signing-out' | 'returning' | 'done'>('ask');
  const [error, setError] = createSignal<unknown>();
  const clientName = () => props.client?.name;

  async function signOut() {
    setPhase('signing-out');
    setError(undefined);
    try {
      await api.webauthn.logout();
    } catch (failure) {
      // Already signed out (the session ended meanwhile) is what was asked for.
      if (!(failure instanceof ApiError && failure.status === 401)) {
        setPhase('ask');
        setError(failure);
        return;
      }
    }
    if (props.target) {
      setPhase('returning');
      window.location.assign(props.target);
    } else {
      setPhase('done');
    }
  }

  const returnLink = () => (
    <Show when={props.target && clientName()}>
      <a class="button primary block" href={props.target} rel="external">
        {t('logout.returnTo', { client: clientName()! })}
      </a>
    </Show>
  );

  return (
    <Switch>
      <Match when={phase() === 'returning'}>
        <Outcome kind="progress" title={t('logout.returning', { client: clientName() ?? appName() })} />
      </Match>
      <Match when={phase() === 'done'}>
        <Outcome kind="success" title={t('logout.doneTitle')} body={t('logout.doneBody', { app: appName() })}>
          <A class="button secondary block" href="/login">
            {t('logout.signInAgain')}
          </A>
        </Outcome>
      </Match>
      <Match when={!props.user}>
        <Outcome
          kind="info"
          title={t('logout.nobodyTitle')}
          body={t('logout.nobodyBody', { app: appName() })}
        >
          {returnLink()}
          <A class={`button ${props.target ? 'secondary' : 'primary'} block`} href="/login">
            {t('logout.signIn')}
          </A>
        </Outcome>
      </Match>
      <Match when={props.user}>
        {(user) => (
          <AuthCard
            title={t('logout.title', { name: clientName() ?? appName() })}
            description={t('logout.description', { app: appName() })}
            logo={
              props.client ? (
                <AppAndClient name={props.client.name} {...clientLogos(props.client)} />
              ) : undefined
            }
          >
            <div class="stack">
              <Show when={error()}>
                <ErrorAlert error={error()} />
              </Show>
              <SignedInAs
                user={{
                  displayName: user().displayName,
                  username: user().username,
                  email: user().email,
                  picture: api.users.pictureUrl(user()),
                }}
              />
              <div class="actions">
                <Button
                  variant="secondary"
                  disabled={phase() === 'signing-out'}
                  onClick={() => navigate('/', { replace: true })}
                >
                  {t('logout.cancel')}
                </Button>
                <Button
                  icon={<SignOutIcon />}
                  busy={phase() === 'signing-out'}
                  busyLabel={t('logout.signingOut')}
                  onClick={() => void signOut()}
                >
                  {t('logout.signOut')}
                </Button>
              </div>
            </div>
          </AuthCard>
        )}
      </Match>
    </Switch>
  );
}
