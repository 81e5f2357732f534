import { A, useNavigate } from '@solidjs/router';
import { Match, Show, Switch, createResource, createSignal } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type User } from '../api/endpoints';
import { ErrorAlert } from '../components/Alert';
import { AuthCard } from '../components/AuthCard';
import { Button } from '../components/Button';
import { PasskeyIcon } from '../components/icons';
import { Loading } from '../components/Spinner';
import { TextField } from '../components/TextField';
import { t } from '../i18n';
import { appConfig, appName } from '../lib/app-config';
import { serverErrors, validate, type Errors, type Rules } from '../lib/form';
import { createPasskey } from '../lib/webauthn';

type Fields = 'firstName' | 'lastName' | 'username' | 'email';

/**
 * `/setup`: creates the first administrator, only while no user exists, then registers their passkey
 * in the same click. If the passkey step fails (cancelled, or a browser that wants a fresh click), the
 * account exists and is signed in, and the page offers the passkey step again.
 */
export default function Setup() {
  const navigate = useNavigate();
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
  const [values, setValues] = createSignal<Record<Fields, string>>({
    firstName: '',
    lastName: '',
    username: '',
    email: '',
  });
  const [errors, setErrors] = createSignal<Errors<Fields>>({});
  const [error, setError] = createSignal<unknown>();
  const [phase, setPhase] = createSignal<'idle' | 'creating' | 'registering'>('idle');
  const [user, setUser] = createSignal<User>();

  const rules = (): Rules<Fields> => ({
    firstName: { label: t('setup.firstName'), required: true, max: 50 },
    lastName: { label: t('setup.lastName'), max: 50 },
    username: { label: t('setup.username'), required: true, max: 50, kind: 'username' },
    email: { label: t('setup.email'), required: appConfig().requireUserEmail, max: 254, kind: 'email' },
  });

  const set = (field: Fields) => (event: { currentTarget: HTMLInputElement }) => {
    setValues({ ...values(), [field]: event.currentTarget.value });
    if (errors()[field]) setErrors({ ...errors(), [field]: undefined });
  };

  async function registerPasskey() {
    setPhase('registering');
    setError(undefined);
    try {
      const options = await api.webauthn.registerStart();
      await api.webauthn.registerFinish(await createPasskey(options));
      navigate('/', { replace: true });
    } catch (failure) {
      setPhase('idle');
      setError(failure);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (phase() !== 'idle') return;
    const found = validate(values(), rules());
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      const first = (Object.keys(found) as Fields[]).find((k) => found[k]);
      document.getElementById(`setup-${first}`)?.focus();
      return;
    }
    setPhase('creating');
    setError(undefined);
    const v = values();
    try {
      setUser(
        await api.setup.create({
          firstName: v.firstName.trim(),
          lastName: v.lastName.trim() || null,
          username: v.username.trim(),
          email: v.email.trim() || null,
        }),
      );
    } catch (failure) {
      setPhase('idle');
      if (failure instanceof ApiError && failure.fieldErrors.length > 0) {
        setErrors(serverErrors(failure, rules()));
      }
      setError(failure);
      return;
    }
    await registerPasskey();
  }

  return (
    <Switch fallback={<Loading />}>
      <Match when={open.error as unknown}>
        <AuthCard title={t('error.title')}>
          <ErrorAlert error={open.error} />
        </AuthCard>
      </Match>
      <Match when={open() === false && !user()}>
        <AuthCard title={t('setup.doneTitle')} description={t('setup.doneDescription', { name: appName() })}>
          <A class="button primary block" href="/login">
            {t('setup.goToLogin')}
          </A>
        </AuthCard>
      </Match>
      <Match when={user()}>
        {(created) => (
          <AuthCard
            title={t('setup.passkeyTitle')}
            description={t('setup.passkeyDescription', { username: created().username })}
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
                busyLabel={t('setup.registering')}
                onClick={() => void registerPasskey()}
              >
                {t('setup.addPasskey')}
              </Button>
            </div>
          </AuthCard>
        )}
      </Match>
      <Match when={open() === true}>
        <AuthCard title={t('setup.title', { name: appName() })} description={t('setup.description')} wide>
          <form class="stack" onSubmit={submit} novalidate>
            <Steps current={1} />
            <Show when={error()}>
              <ErrorAlert error={error()} />
            </Show>
            <div class="row">
              <TextField
                id="setup-firstName"
                label={t('setup.firstName')}
                autocomplete="given-name"
                maxLength={50}
                value={values().firstName}
                onInput={set('firstName')}
                error={errors().firstName}
              />
              <TextField
                id="setup-lastName"
                label={t('setup.lastName')}
                autocomplete="family-name"
                maxLength={50}
                optional
                value={values().lastName}
                onInput={set('lastName')}
                error={errors().lastName}
              />
            </div>
            <TextField
              id="setup-username"
              label={t('setup.username')}
              hint={t('setup.usernameHint')}
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              maxLength={50}
              value={values().username}
              onInput={set('username')}
              error={errors().username}
            />
            <TextField
              id="setup-email"
              label={t('setup.email')}
              type="email"
              autocomplete="email"
              maxLength={254}
              optional={!appConfig().requireUserEmail}
              value={values().email}
              onInput={set('email')}
              error={errors().email}
            />
            <Button
              type="submit"
              block
              icon={<PasskeyIcon />}
              busy={phase() !== 'idle'}
              busyLabel={phase() === 'creating' ? t('setup.creating') : t('setup.registering')}
            >
              {t('setup.submit')}
            </Button>
          </form>
        </AuthCard>
      </Match>
    </Switch>
  );
}

function Steps(props: { current: 1 | 2 }) {
  return (
    <>
      <ol class="steps" aria-hidden="true">
        <li
          class={props.current > 1 ? 'done' : undefined}
          aria-current={props.current === 1 ? 'step' : undefined}
        />
        <li aria-current={props.current === 2 ? 'step' : undefined} />
      </ol>
      <p class="visually-hidden">{t('setup.step', { step: props.current })}</p>
    </>
  );
}
