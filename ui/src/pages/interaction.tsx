import { A, useSearchParams } from '@solidjs/router';
import { For, Match, Show, Switch, createResource, createSignal, type JSX } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type Interaction, type InteractionStep } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { AppAndClient } from '../components/ClientLogo';
import { KeyIcon, PasskeyIcon } from '../components/icons';
import { Outcome } from '../components/Outcome';
import { PasskeySignInForm } from '../components/PasskeySignInForm';
import { ScopeList } from '../components/ScopeList';
import { SignedInAs } from '../components/SignedInAs';
import { Loading } from '../components/Spinner';
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
 *
 * The server completes a step for whoever the cookie signs in, taking the request over from the person
 * it was for. Another tab may have signed in someone else, whose consent a click here must not become:
 * so the page names the person it shows (`userId`), and the server refuses with 409
 * `interaction_user_changed` when the cookie now names someone else. Before a step that needs the
 * passkey again, the page also checks first, so nobody is asked for a passkey on someone else's
 * behalf. Either way it then shows the request as it stands for whoever is signed in now (the server
 * reports the steps their takeover needs), with a notice, and has completed nothing.
 */
export default function InteractionPage() {
  const [params] = useSearchParams<{ interaction?: string }>();
  const id = params.interaction;
  return (
    <Show
      when={id}
      fallback={
        <Outcome kind="error" title={t('interaction.missingTitle')} body={t('interaction.missingBody')}>
          <HomeLink />
        </Outcome>
      }
    >
      {(id) => <Flow id={id()} />}
    </Show>
  );
}

/** The way out of a dead end: this server's start page (nothing the request named is trusted). */
function HomeLink() {
  return (
    <A class="button secondary block" href="/">
      {t('interaction.home', { app: appName() })}
    </A>
  );
}

type Phase = 'steps' | 'redirecting' | 'denying' | 'denied' | 'gone' | 'changed';

function Flow(props: { id: string }) {
  const [loaded, { refetch }] = createResource(() => api.oidc.interaction(props.id));
  const [latest, setLatest] = createSignal<Interaction>();
  const [phase, setPhase] = createSignal<Phase>('steps');
  const view = () => latest() ?? (loaded.state === 'ready' ? loaded() : undefined);
  const clientName = () => view()?.client.name ?? '';
  /** Why the view changed under the person: someone else signed in meanwhile, or nobody is now. */
  const [notice, setNotice] = createSignal<string>();
  /** When this page signed someone in with a passkey: a re-authentication right after needs no prompt. */
  let signedInAt = 0;

  /** Completes `step`; either the next step's view or, when none is left, the way back to the client. */
  async function complete(step: InteractionStep, shown?: string): Promise<void> {
    try {
      const result = await api.oidc.complete(props.id, step, shown);
      setNotice(undefined);
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
        await complete('reauthenticate', shown);
        return;
      }
      setLatest(result.interaction);
    } catch (error) {
      await recover(error);
    }
  }

  /** The server's refusals that end the step: anything else is for the step's card to show. */
  async function recover(error: unknown): Promise<void> {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'oidc_access_denied') setPhase('denied');
    // Finished in another tab, or expired meanwhile.
    else if (error.status === 404) setPhase('gone');
    // The session ended meanwhile: the page asks to sign in again, then goes on.
    else if (error.code === 'not_signed_in') {
      setLatest(undefined);
      await refetch();
    }
    // Someone else signed in since the page showed the step: nothing was completed.
    else if (error.code === 'interaction_user_changed') await showAsItStands();
    // Not the step the server expects: it took the request over for someone else, who needs steps
    // that the page cannot tell (see confirm()).
    else if (error.code === 'validation_failed' && error.fieldErrors.some((e) => e.field === 'step'))
      setPhase('changed');
    else throw error;
  }

  /**
   * Completes `step` for `shown`, the person the page shows, once it is sure they are still the one
   * signed in; `before` runs in between (the passkey again). False when it stopped to show the request
   * as it stands for whoever is signed in now (the step's buttons are then free again).
   */
  async function confirm(
    step: InteractionStep,
    shown: string,
    before?: () => Promise<void>,
  ): Promise<boolean> {
    let now: Interaction;
    try {
      now = await api.oidc.interaction(props.id);
    } catch (error) {
      await recover(error);
      return true;
    }
    if (now.signedInUser?.id !== shown) {
      showChanged(now);
      return false;
    }
    await before?.();
    // The server checks `shown` again, so a sign-in in another tab right now completes nothing either.
    await complete(step, shown);
    return true;
  }

  /** Shows the request as it stands for whoever is signed in now, and says that the person changed. */
  function showChanged(now: Interaction): void {
    setNotice(
      now.signedInUser
        ? t('interaction.personChanged', { name: personName(now.signedInUser) })
        : t('interaction.signedOutMeanwhile'),
    );
    setLatest(now);
  }

  async function showAsItStands(): Promise<void> {
    try {
      showChanged(await api.oidc.interaction(props.id));
    } catch (error) {
      await recover(error);
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
          <HomeLink />
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
        <Outcome kind="error" title={t('interaction.goneTitle')} body={t('interaction.goneBody')}>
          <HomeLink />
        </Outcome>
      </Match>
      <Match when={phase() === 'changed'}>
        <Outcome
          kind="error"
          title={t('interaction.changedTitle')}
          body={t('interaction.changedBody', { client: clientName() })}
        >
          <a class="button secondary block" href={api.oidc.denyUrl(props.id)} rel="external">
            {t('interaction.changedBack', { client: clientName() })}
          </a>
        </Outcome>
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
          <Outcome kind="error" title={t('interaction.goneTitle')} body={t('interaction.goneBody')}>
            <HomeLink />
          </Outcome>
        </Show>
      </Match>
      <Match when={view()}>
        {(current) => (
          <Step
            view={current()}
            notice={notice()}
            busyDenying={phase() === 'denying'}
            complete={complete}
            confirm={confirm}
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
  notice: string | undefined;
  busyDenying: boolean;
  complete: (step: InteractionStep) => Promise<void>;
  confirm: (step: InteractionStep, shown: string, before?: () => Promise<void>) => Promise<boolean>;
  signedIn: (step: InteractionStep | undefined) => Promise<void>;
  deny: () => void;
}

type SignedInUser = NonNullable<Interaction['signedInUser']>;
const personName = (user: SignedInUser) => user.displayName || user.username;

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

/**
 * The card of every step: app and client logos, the step's heading, a progress bar when there are
 * several, and the notice of a person changed meanwhile.
 */
function StepCard(props: {
  view: Interaction;
  notice: string | undefined;
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
      <Show when={props.notice}>
        <div class="step-notice">
          <Alert kind="warning">
            <span>{props.notice}</span>
          </Alert>
        </div>
      </Show>
      {props.children}
    </AuthCard>
  );
}

/** Anyone signed in through this page goes on with the step that needed it. */
function SignInStep(props: StepProps) {
  const client = () => props.view.client.name;
  return (
    <StepCard
      view={props.view}
      notice={props.notice}
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
      <PasskeySignInForm
        onSignedIn={() => props.signedIn(props.view.currentStep)}
        disabled={props.busyDenying}
      />
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
      if (!(await props.confirm(props.step, user().id))) setContinuing(false);
    } catch (failure) {
      setContinuing(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      notice={props.notice}
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
          {t('interaction.continueAs', { name: personName(user()) })}
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
      const shown = props.view.signedInUser!.id;
      if (!(await props.confirm('reauthenticate', shown, reauthenticate))) setBusy(false);
    } catch (failure) {
      setBusy(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      notice={props.notice}
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
      if (!(await props.confirm('consent', user().id))) setAllowing(false);
    } catch (failure) {
      setAllowing(false);
      setError(failure);
    }
  }

  return (
    <StepCard
      view={props.view}
      notice={props.notice}
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
