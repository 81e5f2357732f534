import { Show, type JSX } from 'solid-js';
import type { User } from '../api/endpoints';
import { t } from '../i18n';
import { createPasskeySignIn } from '../lib/passkey-sign-in';
import { ErrorAlert } from './Alert';
import { Button } from './Button';
import { PasskeyIcon } from './icons';
import { TextField } from './TextField';

/**
 * The passkey sign-in of `/login` and of the interaction page's sign-in step: "Sign in with a passkey"
 * (discoverable credentials, no username), plus autofill, a username field with
 * `autocomplete="username webauthn"` that a conditional request waits on (lib/passkey-sign-in.ts).
 */
export function PasskeySignInForm(props: {
  onSignedIn: (user: User) => void | Promise<void>;
  /** Keeps the button busy once signed in, while the page moves on. */
  done?: boolean;
  disabled?: boolean;
  /** Shown below an error, such as "Signed in. Redirecting…". */
  children?: JSX.Element;
}) {
  const { busy, error, signIn } = createPasskeySignIn({
    autofill: true,
    onSignedIn: (user) => props.onSignedIn(user),
  });
  return (
    <form class="stack" onSubmit={signIn} novalidate>
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      {props.children}
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
        busy={busy() || props.done}
        busyLabel={t('login.busy')}
        disabled={props.disabled}
      >
        {t('login.button')}
      </Button>
    </form>
  );
}
