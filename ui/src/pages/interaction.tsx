import { A, useSearchParams } from '@solidjs/router';
import { For, Match, Show, Switch, createResource, createSignal, type JSX } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type Interaction, type InteractionStep } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { AppAndClient } from '../components/ClientLogo';
import { KeyIcon, PasskeyIcon } from '../components/icons';
import { Outcome } from '../components/Outcome';
import { ScopeList } from '../components/ScopeList';
import { SignedInAs } from '../components/SignedInAs';
import { Loading } from '../components/Spinner';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appName } from '../lib/app-config';
import { createPasskeySignIn, reauthenticate } from '../lib/passkey-sign-in';
import { currentPath } from '../lib/redirect';

/**
 * `/interaction?interaction=<id>`: the steps between an app's authorization request and its code,
 * driven by `GET /api/oidc/interactions/:id` and `POST …/complete` (docs/endpoints.md "Authorization"):
 *
 * - `authenticate`: a passkey sign-in right here (with autofill, as on /login), or a login code;
 * - `select_account`: continue as the person signed in, or sign in with another passkey first;
 * - `reauthenticate`: the passkey again (`POST /api/webauthn/reauthenticate`), skipped when this page
 *   signed the person in a moment ago;
 * - `consent`: the client and what it asks for, allow or deny. Deny is a page load of `…/deny`, which
 *   sends the browser back to the client with `access_denied`.
 *
 * After the last step the page follows `redirectUrl` with a full navigation: `/authorize` may answer
 * with a form_post page. While a step is pending every button is off, so a double click sends once.
 * "Cancel" links are the same refusal as Deny (`rel="external"` keeps the router off them).
 */
export default function InteractionPage() {
  const [params] = useSearchParams<{ interaction?: string }>();
  const id = params.interaction;
  return (
    <Show
      when={id}
      fallback={
        <Outcome kind="error" title={t('interaction.missingTitle')} body={t('interaction.missingBody')} />
      }
    >
      {(id) => <Flow id={id()} />}
    </Show>
  );
}

type Phase = 'steps' | 'redirecting' | 'denying' | 'denied' | 'gone';

function Flow(props: { id: string }) {
  const [loaded, { refetch }] = createResource(() => api.oidc.interaction(props.id));
  const [latest, setLatest] = createSignal<Interaction>();
  const [phase, setPhase] = createSignal<Phase>('steps');
  const view = () => latest() ?? (loaded.state === 'ready' ? loaded() : undefined);
  const clientName = () => view()?.client.name ?? '';
  /** When this page signed someone in with a passkey: a re-authentication right after needs no prompt. */
  let signedInAt = 0;

  /** Completes `step`; either the next step's view or, when none is left, the way back to the client. */
  async function complete(step: InteractionStep): Promise<void> {
    try {
      const result = await api.oidc.complete(props.id, step);
      if ('redirectUrl' in result) {
        setPhase('redirecting');
        window.location.assign(result.redirectUrl);
        return;
      }
      if (result.interaction.currentStep === 'reauthenticate' && Date.now() - signedInAt < 45_000) {
        try {
          await reauthenticate({ fresh: true });
        } catch {
          // Cancelled, say: the re-authentication card lets the person try again.
          setLatest(result.interaction);
          return;
        }
        await complete('reauthenticate');
        return;
      }
      setLatest(result.interaction);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'oidc_access_denied') setPhase('denied');
      // Finished in another tab, or expired meanwhile.
      else if (error.status === 404) setPhase('gone');
      // The session ended meanwhile: the page asks to sign in again, then goes on.
      else if (error.code === 'not_signed_in') {
        setLatest(undefined);
        await refetch();
      } else throw error;
    }
  }

  /**
   * After a passkey sign-in on this page: the step that asked for it is done by the sign-in itself.
   * Any other step stays to be taken, now as the person signed in.
   */
  async function signedIn(step: InteractionStep | undefined): Promise<void> {
    signedInAt = Date.now();
    if (step === 'authenticate' || step === 'select_account') {
      await complete(step);
      return;
    }
    setLatest(undefined);
    await refetch();
  }

  function deny() {
    setPhase('denying');
    window.location.assign(api.oidc.denyUrl(props.id));
  }

  return (
    <Switch fallback={<Loading label={t('interaction.loading')} />}>
      <Match when={phase() === 'denied'}>
        <Outcome
          kind="denied"
          title={t('interaction.deniedTitle', { client: clientName() })}
          body={t('interaction.deniedBody', { app: appName() })}
        >
          <A class="button secondary block" href="/">
            {t('interaction.home', { app: appName() })}
          </A>
        </Outcome>
      </Match>
      <Match when={phase() === 'redirecting'}>
        <Outcome
          kind="progress"
          title={t('interaction.redirecting', { client: clientName() })}
          body={t('interaction.redirectingBody')}
        />
      </Match>
      <Match when={phase() === 'gone'}>
        <Outcome kind="error" title={t('interaction.goneTitle')} body={t('interaction.goneBody')} />
      </Match>
      <Match when={loaded.error as unknown}>
        <Show
          when={loaded.error instanceof ApiError && loaded.error.status === 404}
          fallback={
            <AuthCard title={t('error.title')}>
              <div class="stack">
                <ErrorAlert error={loaded.error} />
                <Button variant="secondary" onClick={() => void refetch()}>
                  {t('app.retry')}
                </Button>
              </div>
            </AuthCard>
          }
        >
          <Outcome kind="error" title={t('interaction.goneTitle')} body={t('interaction.goneBody')} />
        </Show>
      </Match>
      <Match when={view()}>
        {(current) => (
          <Step
            view={current()}
            busyDenying={phase() === 'denying'}
            complete={complete}
            signedIn={signedIn}
            deny={deny}
          />
        )}
      </Match>
    </Switch>
  );
}

interface StepProps {
  view: Interaction;
  busyDenying: boolean;
  complete: (step: InteractionStep) => Promise<void>;
  signedIn: (step: InteractionStep | undefined) => Promise<void>;
  deny: () => void;
}

/** The card of the step the person is at; nobody signed in (a lost session too) means signing in first. */
function Step(props: StepProps) {
  const step = () => (props.view.signedInUser ? (props.view.currentStep ?? 'done') : 'sign-in');
  return (
    <Switch>
      <Match when={step() === 'sign-in'}>
        <SignInStep {...props} />
      </Match>
      <Match when={step() === 'authenticate' || step() === 'select_account'}>
        <ChooseAccountStep {...props} step={step() as InteractionStep} />
      </Match>
      <Match when={step() === 'reauthenticate'}>
        <ReauthenticateStep {...props} />
      </Match>
      <Match when={step() === 'consent'}>
        <ConsentStep {...props} />
      </Match>
      <Match when={step() === 'done'}>
        <FinishStep {...props} />
      </Match>
    </Switch>
  );
}

/** The card of every step: app and client logos, the step's heading, a progress bar when there are several. */
function StepCard(props: {
  view: Interaction;
  title: string;
  description: string;
  footer?: JSX.Element;
  children: JSX.Element;
}) {
  const steps = () => props.view.requiredSteps;
  const at = () => {
    const index = props.view.currentStep ? steps().indexOf(props.view.currentStep) : steps().length;
    return index < 0 ? 0 : index;
  };
  return (
    <AuthCard
      title={props.title}
      description={props.description}
      footer={props.footer}
      logo={
        <AppAndClient
          name={props.view.client.name}
          light={props.view.logoURL}
          dark={props.view.darkLogoURL}
        />
      }
    >
      <Show when={steps().length > 1}>
        <ol class="steps progress" aria-hidden="true">
          <For each={steps()}>
            {(_, i) => (
              <li class={i() < at() ? 'done' : undefined} aria-current={i() === at() ? 'step' : undefined} />
            )}
          </For>
        </ol>
        <p class="visually-hidden">
          {t('interaction.progress', { step: Math.min(at() + 1, steps().length), count: steps().length })}
        </p>
      </Show>
      {props.children}
    </AuthCard>
  );
}

/** Anyone signed in through this page goes on with the step that needed it. */
function SignInStep(props: StepProps) {
  const client = () => props.view.client.name;
  const { busy, error, signIn } = createPasskeySignIn({
    autofill: true,
    onSignedIn: () => props.signedIn(props.view.currentStep),
  });
  return (
    <StepCard
      view={props.view}
      title={t('interaction.signInTitle', { client: client() })}
      description={t('interaction.signInDescription', { client: client(), app: appName() })}
      footer={
        <div class="stack">
          <span>
            {t('login.noPasskey')}{' '}
            <A href={`/login/alternative?redirect=${encodeURIComponent(currentPath())}`}>
              {t('login.useCode')}
            </A>
          </span>
          <a href={api.oidc.denyUrl(props.view.id)} rel="external">
            {t('interaction.cancel', { client: client() })}
          </a>
        </div>
      }
    >
      <form class="stack" onSubmit={signIn} novalidate>
        <Show when={error()}>
          <ErrorAlert error={error()} />
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
          busy={busy()}
          busyLabel={t('login.busy')}
          disabled={props.busyDenying}
        >
          {t('login.button')}
        </Button>
      </form>
    </StepCard>
  );
}

/**
 * `select_account`, and `authenticate` when someone is already signed in (they signed in elsewhere,
 * with a login code say): continue as them, or sign in with another passkey, which completes the step as
 * that person (the server then takes the interaction over for them).
 */
function ChooseAccountStep(props: StepProps & { step: InteractionStep }) {
  const user = () => props.view.signedInUser!;
  const client = () => props.view.client.name;
  const [continuing, setContinuing] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const other = createPasskeySignIn({ onSignedIn: () => props.signedIn(props.step) });
  const pending = () => continuing() || other.busy() || props.busyDenying;

  async function proceed() {
    setContinuing(true);
    setError(undefined);
    other.setError(undefined);
    try {
      await props.complete(props.step);
    } catch (failure) {
      setContinuing(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      title={t('interaction.continueTitle', { client: client() })}
      description={t('interaction.continueDescription', { client: client(), app: appName() })}
      footer={
        <a href={api.oidc.denyUrl(props.view.id)} rel="external">
          {t('interaction.cancel', { client: client() })}
        </a>
      }
    >
      <div class="stack">
        <Show when={error() ?? other.error()}>
          <ErrorAlert error={error() ?? other.error()} />
        </Show>
        <SignedInAs user={{ ...user(), picture: user().profilePictureURL }} />
        <Button
          block
          busy={continuing()}
          disabled={pending() && !continuing()}
          onClick={() => void proceed()}
        >
          {t('interaction.continueAs', { name: user().displayName || user().username })}
        </Button>
        <Button
          variant="secondary"
          block
          icon={<PasskeyIcon />}
          busy={other.busy()}
          busyLabel={t('interaction.useAnotherBusy')}
          disabled={pending() && !other.busy()}
          onClick={() => {
            setError(undefined);
            void other.signIn();
          }}
        >
          {t('interaction.useAnother')}
        </Button>
      </div>
    </StepCard>
  );
}

function ReauthenticateStep(props: StepProps) {
  const client = () => props.view.client.name;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await reauthenticate();
      await props.complete('reauthenticate');
    } catch (failure) {
      setBusy(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      title={t('interaction.reauthTitle')}
      description={t('interaction.reauthDescription', { client: client() })}
      footer={
        <a href={api.oidc.denyUrl(props.view.id)} rel="external">
          {t('interaction.cancel', { client: client() })}
        </a>
      }
    >
      <div class="stack">
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <SignedInAs
          user={{ ...props.view.signedInUser!, picture: props.view.signedInUser!.profilePictureURL }}
        />
        <Button
          block
          icon={<KeyIcon />}
          busy={busy()}
          busyLabel={t('interaction.reauthBusy')}
          disabled={props.busyDenying}
          onClick={() => void confirm()}
        >
          {t('interaction.reauthButton')}
        </Button>
      </div>
    </StepCard>
  );
}

function ConsentStep(props: StepProps) {
  const client = () => props.view.client.name;
  const user = () => props.view.signedInUser!;
  const [allowing, setAllowing] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  async function allow() {
    setAllowing(true);
    setError(undefined);
    try {
      await props.complete('consent');
    } catch (failure) {
      setAllowing(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      title={t('interaction.consentTitle', { client: client() })}
      description={t('interaction.consentDescription', { client: client(), app: appName() })}
    >
      <div class="stack">
        <Show when={error()}>
          <ErrorAlert error={error()} />
        </Show>
        <SignedInAs user={{ ...user(), picture: user().profilePictureURL }} />
        <p class="scopes-title" id="scopes-title">
          {t('interaction.consentWants')}
        </p>
        <ScopeList scopes={props.view.scopes} scopeInfo={props.view.scopeInfo} />
        <div class="actions">
          <Button
            variant="secondary"
            busy={props.busyDenying}
            busyLabel={t('interaction.denyBusy')}
            disabled={allowing()}
            onClick={() => props.deny()}
          >
            {t('interaction.deny')}
          </Button>
          <Button
            busy={allowing()}
            busyLabel={t('interaction.allowBusy')}
            disabled={props.busyDenying}
            onClick={() => void allow()}
          >
            {t('interaction.allow')}
          </Button>
        </div>
        <p class="note">{t('interaction.consentNote')}</p>
      </div>
    </StepCard>
  );
}

/** Every step is done (the page was reloaded after the last one): straight on to the client. */
function FinishStep(props: StepProps) {
  const [error, setError] = createSignal<unknown>();
  // Any step will do: with none left, the server answers with the way back to the client.
  props.complete(props.view.requiredSteps.at(-1) ?? 'consent').catch(setError);
  return (
    <Show
      when={error()}
      fallback={<Loading label={t('interaction.redirecting', { client: props.view.client.name })} />}
    >
      <AuthCard title={t('error.title')}>
        <ErrorAlert error={error()} />
      </AuthCard>
    </Show>
  );
}
