/**
 * Why a stored secret could not be decrypted:
 * - `corrupt`: the stored value is not valid base64, is too short, or decrypts to something that is not
 *   what was stored (e.g. not a JWK). Restore it from a backup.
 * - `wrong_key`: the AES-GCM authentication tag does not match, so ENCRYPTION_KEY is not the key the
 *   value was encrypted with (or the value was tampered with).
 */
export type KeyDecryptionProblem = 'corrupt' | 'wrong_key';

export const KEY_DECRYPT_ERROR_CODE = 'LATCHKEY_ERR_KEY_DECRYPT';

export interface KeyDecryptionErrorOptions {
  /** What was being decrypted, for the message: `signing key "abc"`, `encrypted string`. */
  subject?: string;
  /** The signing key concerned, when there is one. */
  kid?: string;
  /** A short technical detail (`not valid base64`, `8 bytes, at least 28 expected`). */
  detail?: string;
  cause?: unknown;
}

/**
 * A stored secret could not be decrypted. Start-up stops on it: nothing is regenerated or overwritten,
 * because a wrong ENCRYPTION_KEY must never cost the operator their signing key.
 */
export class KeyDecryptionError extends Error {
  readonly code = KEY_DECRYPT_ERROR_CODE;
  readonly problem: KeyDecryptionProblem;
  readonly kid: string | undefined;
  readonly detail: string | undefined;

  constructor(problem: KeyDecryptionProblem, options: KeyDecryptionErrorOptions = {}) {
    const subject =
      options.subject ?? (options.kid !== undefined ? `signing key "${options.kid}"` : 'stored value');
    const detail = options.detail ? ` (${options.detail})` : '';
    const message =
      problem === 'wrong_key'
        ? `Cannot decrypt ${subject}: authentication tag mismatch${detail}. ENCRYPTION_KEY is not the key ` +
          'it was encrypted with, or the stored value was tampered with. Nothing was changed; restart ' +
          'with the right ENCRYPTION_KEY.'
        : `Cannot decrypt ${subject}: the stored value is corrupt${detail}. Nothing was changed; restore ` +
          'it from a backup or remove it.';
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyDecryptionError';
    this.problem = problem;
    this.kid = options.kid;
    this.detail = options.detail;
  }

  /** The same failure, re-labelled with the key or value it concerns. */
  about(options: { subject?: string; kid?: string }): KeyDecryptionError {
    return new KeyDecryptionError(this.problem, {
      subject: options.subject,
      kid: options.kid,
      detail: this.detail,
      cause: this.cause,
    });
  }
}
