import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { Match, Show, Switch, createEffect, createResource, createSignal, on } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type DeviceCodeInfo, type User } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { AppAndClient, clientLogos } from '../components/ClientLogo';
import { DeviceIcon } from '../components/oidc-icons';
import { Outcome } from '../components/Outcome';
import { ScopeList } from '../components/ScopeList';
import { SignedInAs } from '../components/SignedInAs';
import { Loading } from '../components/Spinner';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { reauthenticate } from '../lib/passkey-sign-in';
import { currentPath } from '../lib/redirect';
import { normalizeUserCode } from '../lib/user-code';

/**
 * `/device` and `/device?user_code=` (RFC 8628 §3.3, the `verification_uri_complete`): the person types
 * the code their device shows (or follows its link), sees which app asks for what, and allows or
 * denies it (docs/endpoints.md "Device authorization"). Someone not signed in goes to `/login` and
 * comes back here. A client that requires re-authentication gets the passkey again before approval.
 */
export default function Device() {
  const navigate = useNavigate();
  const [me] = createResource(async (): Promise<User | null> => {
    try {
      return await api.users.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  });
  createEffect(() => {
    if (me.state === 'ready' && me() === null)
      navigate(`/login?redirect=${encodeURIComponent(currentPath())}`, { replace: true });
  });
  return (
    <Switch fallback={<Loading />}>
      <Match when={me.error as unknown}>
        <AuthCard title={t('error.title')}>
          <ErrorAlert error={me.error} />
        </AuthCard>
      </Match>
      <Match when={me.state === 'ready' && me() === null}>
        <Loading label={t('device.signingIn')} />
      </Match>
      <Match when={me.state === 'ready' && me()}>{(user) => <DeviceFlow user={user()} />}</Match>
    </Switch>
  );
}

type Looked = { code: string; info: DeviceCodeInfo };

/** Plain words for the device endpoints' errors; anything else keeps the server's own `detail`. */
function explain(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  switch (error.code) {
    case 'oidc_invalid_device_code':
      return new Error(t('device.invalidCode'));
    case 'oidc_device_code_expired':
      return new Error(t('device.expiredCode'));
    case 'oidc_access_denied':
      return new Error(t('device.accessDenied', { app: appName() }));
    default:
      return error;
  }
}

function DeviceFlow(props: { user: User }) {
  const [params, setParams] = useSearchParams<{ user_code?: string }>();
  const [input, setInput] = createSignal(params.user_code ?? '');
  const [fieldError, setFieldError] = createSignal<string>();
  const [looking, setLooking] = createSignal(false);
  const [lookupError, setLookupError] = createSignal<unknown>();
  const [looked, setLooked] = createSignal<Looked>();
  const [outcome, setOutcome] = createSignal<'approved' | 'denied'>();

  async function lookUp(raw: string) {
    const code = normalizeUserCode(raw);
    if (!code) {
      setFieldError(t('field.required', { label: t('device.codeLabel').toLowerCase() }));
      document.getElementById('user-code')?.focus();
      return;
    }
    setLooking(true);
    setLookupError(undefined);
    try {
      setLooked({ code, info: await api.oidc.deviceInfo(code) });
    } catch (error) {
      setLookupError(explain(error));
    } finally {
      setLooking(false);
    }
  }

  // The link from the device carries the code: look it up at once (a GET: nothing is decided yet).
  createEffect(
    on(
      () => params.user_code,
      (code) => {
        if (code) void lookUp(code);
      },
    ),
  );

  function startOver() {
    setLooked(undefined);
    setOutcome(undefined);
    setInput('');
    setLookupError(undefined);
    setParams({ user_code: undefined }, { replace: true });
  }

  return (
    <Switch>
      <Match when={outcome() === 'approved' && looked()}>
        {(done) => (
          <Outcome
            kind="success"
            title={t('device.doneTitle')}
            body={t('device.doneBody', { client: done().info.client.name })}
          >
            <Button variant="secondary" block onClick={startOver}>
              {t('device.otherCode')}
            </Button>
          </Outcome>
        )}
      </Match>
      <Match when={outcome() === 'denied' && looked()}>
        {(done) => (
          <Outcome
            kind="denied"
            title={t('device.deniedTitle')}
            body={t('device.deniedBody', { client: done().info.client.name })}
          >
            <Button variant="secondary" block onClick={startOver}>
              {t('device.otherCode')}
            </Button>
          </Outcome>
        )}
      </Match>
      <Match when={looked()}>
        {(found) => <Review user={props.user} looked={found()} onDone={setOutcome} onCancel={startOver} />}
      </Match>
      <Match when={true}>
        <AuthCard
          title={t('device.title')}
          description={t('device.description')}
          logo={
            <span class="outcome-mark info" aria-hidden="true">
              <DeviceIcon />
            </span>
          }
          footer={<A href="/">{t('interaction.home', { app: appName() })}</A>}
        >
          <form
            class="stack"
            novalidate
            onSubmit={(event) => {
              event.preventDefault();
              void lookUp(input());
            }}
          >
            <Show when={lookupError()}>
              <ErrorAlert error={lookupError()} />
            </Show>
            <TextField
              id="user-code"
              class="user-code-input"
              label={t('device.codeLabel')}
              hint={t('device.codeHint')}
              autocomplete="one-time-code"
              autocapitalize="characters"
              spellcheck={false}
              maxlength={16}
              value={input()}
              onInput={(e) => {
                setInput(e.currentTarget.value);
                setFieldError(undefined);
              }}
              error={fieldError()}
            />
            <Button type="submit" block busy={looking()} busyLabel={t('device.checking')}>
              {t('device.continue')}
            </Button>
          </form>
        </AuthCard>
      </Match>
    </Switch>
  );
}

function Review(props: {
  user: User;
  looked: Looked;
  onDone: (outcome: 'approved' | 'denied') => void;
  onCancel: () => void;
}) {
  const info = () => props.looked.info;
  const client = () => info().client.name;
  const [pending, setPending] = createSignal<'approve' | 'deny'>();
  const [error, setError] = createSignal<unknown>();

  async function decide(decision: 'approve' | 'deny') {
    setPending(decision);
    setError(undefined);
    try {
      if (decision === 'approve') {
        if (info().reauthenticationRequired) await reauthenticate();
        await api.oidc.deviceVerify(props.looked.code);
      } else {
        await api.oidc.deviceDeny(props.looked.code);
      }
      props.onDone(decision === 'approve' ? 'approved' : 'denied');
    } catch (failure) {
      setPending(undefined);
      setError(explain(failure));
    }
  }

  return (
    <AuthCard
      title={t('device.approveTitle', { client: client() })}
      description={t('device.approveDescription')}
      logo={<AppAndClient name={client()} {...clientLogos(info().client)} />}
      footer={
        <a
          href="/device"
          onClick={(event) => {
            event.preventDefault();
            props.onCancel();
          }}
        >
          {t('device.otherCode')}
        </a>
      }
    >
      <div class="stack">
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <div class="user-code">
          <span>{t('device.codeShown')}</span>
          <code data-testid="user-code">{props.looked.code}</code>
        </div>
        <SignedInAs
          user={{
            displayName: props.user.displayName,
            username: props.user.username,
            email: props.user.email,
            picture: api.users.pictureUrl(props.user),
          }}
        />
        <p class="scopes-title">{t('interaction.consentWants')}</p>
        <ScopeList scopes={info().scope} scopeInfo={info().scopeInfo} />
        <Show when={!info().authorizationRequired}>
          <Alert kind="info">
            <span>{t('device.allowedBefore', { client: client() })}</span>
          </Alert>
        </Show>
        <Show when={info().reauthenticationRequired}>
          <Alert kind="info">
            <span>{t('device.reauthNote', { client: client() })}</span>
          </Alert>
        </Show>
        <div class="actions">
          <Button
            variant="secondary"
            busy={pending() === 'deny'}
            busyLabel={t('device.denying')}
            disabled={pending() === 'approve'}
            onClick={() => void decide('deny')}
          >
            {t('device.deny')}
          </Button>
          <Button
            busy={pending() === 'approve'}
            busyLabel={t('device.approving')}
            disabled={pending() === 'deny'}
            onClick={() => void decide('approve')}
          >
            {t('device.approve')}
          </Button>
        </div>
      </div>
    </AuthCard>
  );
}
