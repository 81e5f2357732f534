import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';

/**
 * Passkey ceremonies in the browser. The platform's own JSON helpers
 * (`PublicKeyCredential.parseCreationOptionsFromJSON`, `parseRequestOptionsFromJSON`,
 * `credential.toJSON()`) do the encoding where the browser has them; elsewhere @simplewebauthn/browser
 * does, loaded only then so it costs the sign-in page nothing in browsers that do not need it.
 */

/** Why a ceremony failed, in the terms the pages explain to people. */
export type PasskeyFailure = 'cancelled' | 'security' | 'unavailable' | 'already-registered' | 'unsupported';

export class PasskeyError extends Error {
  override readonly name = 'PasskeyError';
  constructor(
    readonly kind: PasskeyFailure | 'other',
    message: string,
  ) {
    super(message);
  }
}

/** Whether this page may use WebAuthn at all (a secure context in a browser that supports it). */
export function passkeysAvailable(): boolean {
  return (
    window.isSecureContext && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials
  );
}

function hasJsonHelpers(): boolean {
  const pkc = window.PublicKeyCredential as unknown as Record<string, unknown> | undefined;
  return (
    typeof pkc?.parseCreationOptionsFromJSON === 'function' &&
    typeof pkc.parseRequestOptionsFromJSON === 'function' &&
    typeof (window.PublicKeyCredential.prototype as { toJSON?: unknown }).toJSON === 'function'
  );
}

/** Whether the browser can offer passkeys in a username field's autofill (conditional mediation). */
export async function autofillAvailable(): Promise<boolean> {
  if (!passkeysAvailable()) return false;
  try {
    return (await window.PublicKeyCredential.isConditionalMediationAvailable?.()) === true;
  } catch {
    return false;
  }
}

/** An `AbortError`: the page cancelled the ceremony on purpose (the autofill request, when the button is pressed). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Creates a passkey for the options from `/api/webauthn/register/start`. */
export async function createPasskey(
  options: PublicKeyCredentialCreationOptionsJSON,
): Promise<RegistrationResponseJSON> {
  if (!passkeysAvailable()) throw new PasskeyError('unavailable', 'WebAuthn is not available');
  try {
    if (hasJsonHelpers()) {
      const credential = (await navigator.credentials.create({
        // simplewebauthn's JSON types describe the same wire format as the DOM's.
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(
          options as unknown as globalThis.PublicKeyCredentialCreationOptionsJSON,
        ),
      })) as PublicKeyCredential | null;
      if (!credential) throw new DOMException('No credential was created', 'NotAllowedError');
      return credential.toJSON() as RegistrationResponseJSON;
    }
    const { startRegistration } = await import('@simplewebauthn/browser');
    return await startRegistration({ optionsJSON: options });
  } catch (error) {
    throw classify(error);
  }
}

/**
 * Gets an assertion for the options from `/api/webauthn/login/start`. With `conditional`, the request
 * waits for the person to pick a passkey from the username field's autofill; `signal` cancels it,
 * rejecting with the `AbortError` (check with `isAbort`) rather than a PasskeyError.
 */
export async function getPasskey(
  options: PublicKeyCredentialRequestOptionsJSON,
  { conditional = false, signal }: { conditional?: boolean; signal?: AbortSignal } = {},
): Promise<AuthenticationResponseJSON> {
  if (!passkeysAvailable()) throw new PasskeyError('unavailable', 'WebAuthn is not available');
  try {
    if (hasJsonHelpers()) {
      const credential = (await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(
          options as unknown as globalThis.PublicKeyCredentialRequestOptionsJSON,
        ),
        ...(conditional ? { mediation: 'conditional' as CredentialMediationRequirement } : {}),
        signal,
      })) as PublicKeyCredential | null;
      if (!credential) throw new DOMException('No passkey was chosen', 'NotAllowedError');
      return credential.toJSON() as AuthenticationResponseJSON;
    }
    const { startAuthentication, WebAuthnAbortService } = await import('@simplewebauthn/browser');
    signal?.addEventListener('abort', () => WebAuthnAbortService.cancelCeremony(), { once: true });
    return await startAuthentication({ optionsJSON: options, useBrowserAutofill: conditional });
  } catch (error) {
    if (signal?.aborted || isAbort(error)) throw error;
    throw classify(error);
  }
}

function classify(error: unknown): Error {
  if (error instanceof PasskeyError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'AbortError':
      return error as Error;
    // Cancelled, timed out, or user verification failed: browsers deliberately do not say which.
    case 'NotAllowedError':
      return new PasskeyError('cancelled', message);
    // The page's origin does not fit the relying party (most often: not opened on APP_URL).
    case 'SecurityError':
      return new PasskeyError('security', message);
    case 'InvalidStateError':
      return new PasskeyError('already-registered', message);
    case 'NotSupportedError':
      return new PasskeyError('unsupported', message);
    default:
      return new PasskeyError('other', message);
  }
}
