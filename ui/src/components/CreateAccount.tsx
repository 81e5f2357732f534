import { useNavigate } from '@solidjs/router';
import { Show, createSignal, type JSX } from 'solid-js';
import type { User } from '../api/endpoints';
import { t } from '../i18n';
import { accountRules, createForm } from '../lib/account-form';
import { appConfig } from '../lib/app-config';
import { registerPasskey } from '../lib/passkey-registration';
import { AccountFields } from './AccountFields';
import { ErrorAlert } from './Alert';
import { AuthCard } from './AuthCard';
import { Button } from './Button';
import { Steps } from './Steps';
import { PasskeyIcon } from './icons';

/** The details a new account starts with, trimmed, empty optional ones as null. */
export interface NewAccount {
  firstName: string;
  lastName: string | null;
  username: string;
  email: string | null;
}

/**
 * Creating an account with its passkey, as `/setup` (the first admin) and `/signup` do: the details,
 * then the passkey in the same click. The account exists and is signed in once the server answers, so
 * a passkey step that fails (cancelled, or a browser that wants a fresh click) is offered again on its
 * own card rather than losing the account. A second click while either step runs sends nothing twice.
 */
export function CreateAccount(props: {
  /** Prefix of the fields' ids (`<prefix>-firstName`, …). */
  prefix: string;
  title: string;
  description: string;
  footer?: JSX.Element;
  /** Creates the account and signs it in (`POST /api/signup/setup`, `POST /api/signup`). */
  create: (account: NewAccount) => Promise<User>;
  /** A failure of `create` that the page shows in its own way (signup's closed or used links): true. */
  refused?: (failure: unknown) => boolean;
  /** Where the person goes once the passkey is added. */
  next: string;
}) {
  const navigate = useNavigate();
  const form = createForm(props.prefix, { firstName: '', lastName: '', username: '', email: '' }, () =>
    accountRules(appConfig().requireUserEmail),
  );
  const [phase, setPhase] = createSignal<'idle' | 'creating' | 'registering'>('idle');
  const [error, setError] = createSignal<unknown>();
  const [user, setUser] = createSignal<User>();

  async function addPasskey() {
    setPhase('registering');
    setError(undefined);
    try {
      await registerPasskey();
      navigate(props.next, { replace: true });
    } catch (failure) {
      setPhase('idle');
      setError(failure);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (phase() !== 'idle') return;
    setError(undefined);
    if (!form.check()) return;
    setPhase('creating');
    const v = form.values();
    try {
      setUser(
        await props.create({
          firstName: v.firstName.trim(),
          lastName: v.lastName.trim() || null,
          username: v.username.trim(),
          email: v.email.trim() || null,
        }),
      );
    } catch (failure) {
      setPhase('idle');
      if (!props.refused?.(failure) && !form.showServerErrors(failure)) setError(failure);
      return;
    }
    await addPasskey();
  }

  const busyLabel = () => (phase() === 'creating' ? t('newAccount.creating') : t('newAccount.registering'));
  const failure = () => (
    <Show when={error()}>
      <ErrorAlert error={error()} />
    </Show>
  );

  return (
    <Show
      when={user()}
      fallback={
        <AuthCard title={props.title} description={props.description} footer={props.footer} wide>
          <form class="stack" onSubmit={submit} novalidate>
            <Steps current={1} />
            {failure()}
            <AccountFields form={form} requireEmail={appConfig().requireUserEmail} />
            <Button
              type="submit"
              block
              icon={<PasskeyIcon />}
              busy={phase() !== 'idle'}
              busyLabel={busyLabel()}
            >
              {t('newAccount.submit')}
            </Button>
          </form>
        </AuthCard>
      }
    >
      {(created) => (
        <AuthCard
          title={t('newAccount.passkeyTitle')}
          description={t('newAccount.passkeyDescription', { username: created().username })}
        >
          <div class="stack">
            <Steps current={2} />
            {failure()}
            <Button
              block
              icon={<PasskeyIcon />}
              busy={phase() !== 'idle'}
              busyLabel={busyLabel()}
              onClick={() => void addPasskey()}
            >
              {t('newAccount.addPasskey')}
            </Button>
          </div>
        </AuthCard>
      )}
    </Show>
  );
}
