import { createSignal, onCleanup, onMount } from 'solid-js';
import { ApiError } from '../api/client';
import { api, type User } from '../api/endpoints';
import { PasskeyError, autofillAvailable, getPasskey, isAbort, passkeysAvailable } from './webauthn';

/**
 * A passkey sign-in on a page (discoverable credentials, no username), shared by `/login` and the
 * `authenticate` step of `/interaction`. With `autofill`, a conditional request waits in the
 * background for the person to pick a passkey from the username field's autofill; `signIn()` aborts it
 * (its AbortError is expected and swallowed) and runs a modal request instead. `onSignedIn` runs once
 * the server has set the sign-in cookie; `busy` stays on after success, while the page moves on.
 */
export function createPasskeySignIn(options: {
  onSignedIn: (user: User) => void | Promise<void>;
  autofill?: boolean;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  let autofill: AbortController | undefined;
  let autofillRun: Promise<void> | undefined;
  let disposed = false;

  async function startAutofill(): Promise<void> {
    // Made before the first await, so a press of the button that comes meanwhile can cancel it.
    const controller = new AbortController();
    autofill = controller;
    if (disposed || !(await autofillAvailable()) || controller.signal.aborted) return;
    try {
      const request = await api.webauthn.loginStart(controller.signal);
      const credential = await getPasskey(request, { conditional: true, signal: controller.signal });
      setBusy(true);
      setError(undefined);
      await options.onSignedIn(await api.webauthn.loginFinish(credential));
    } catch (failure) {
      if (controller.signal.aborted || isAbort(failure)) return;
      setBusy(false);
      setError(failure);
    }
  }

  /** Stops the background request and waits until it has settled, so its challenge cannot interfere. */
  async function stopAutofill(): Promise<void> {
    autofill?.abort();
    autofill = undefined;
    await autofillRun;
  }

  async function signIn(event?: Event): Promise<void> {
    event?.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(undefined);
    try {
      await stopAutofill();
      if (!passkeysAvailable()) throw new PasskeyError('unavailable', 'WebAuthn is not available');
      const request = await api.webauthn.loginStart();
      const credential = await getPasskey(request);
      await options.onSignedIn(await api.webauthn.loginFinish(credential));
    } catch (failure) {
      setBusy(false);
      setError(failure);
      // Autofill keeps working after a failed attempt.
      if (options.autofill) autofillRun = startAutofill();
    }
  }

  onMount(() => {
    if (!passkeysAvailable()) {
      setError(new PasskeyError('unavailable', 'WebAuthn is not available'));
      return;
    }
    if (options.autofill) autofillRun = startAutofill();
  });
  onCleanup(() => {
    disposed = true;
    autofill?.abort();
  });

  return { busy, error, setError, signIn };
}

/**
 * Proves presence again for a sensitive step (`POST /api/webauthn/reauthenticate`): the server then
 * sets the short-lived re-authentication cookie that the step spends. With `fresh` (a passkey sign-in
 * on this page moments ago, which the server accepts for a minute), no second passkey prompt is made.
 */
export async function reauthenticate({ fresh = false }: { fresh?: boolean } = {}): Promise<void> {
  // The challenge cookie is needed either way: the server checks it before anything else.
  const request = await api.webauthn.loginStart();
  if (fresh) {
    try {
      await api.webauthn.reauthenticate({});
      return;
    } catch (error) {
      // Older than the server allows after all: ask for the passkey, on the same challenge.
      if (!(error instanceof ApiError && error.code === 'reauthentication_required')) throw error;
    }
  }
  await api.webauthn.reauthenticate(await getPasskey(request));
}
