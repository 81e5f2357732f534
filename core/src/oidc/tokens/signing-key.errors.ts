export const SIGNING_ALG_ERROR_CODE = 'LATCHKEY_ERR_SIGNING_ALG';
export const SIGNING_KEY_STORE_ERROR_CODE = 'LATCHKEY_ERR_KEY_STORE';
export const SIGNING_KEY_UNAVAILABLE_ERROR_CODE = 'LATCHKEY_ERR_KEY_UNAVAILABLE';

/** An algorithm or curve we cannot sign with (e.g. a typo in `key-rotate --alg`). */
export class InvalidSigningAlgorithmError extends Error {
  readonly code = SIGNING_ALG_ERROR_CODE;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSigningAlgorithmError';
  }
}

/** A key file or record that cannot be read as a stored signing key (unreadable JSON, missing fields). */
export class SigningKeyStoreError extends Error {
  readonly code = SIGNING_KEY_STORE_ERROR_CODE;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeyStoreError';
  }
}

/** The key set is used before `init()` finished (a wiring mistake in the host). */
export class SigningKeyUnavailableError extends Error {
  readonly code = SIGNING_KEY_UNAVAILABLE_ERROR_CODE;
  constructor() {
    super('The signing key set is not loaded yet: call SigningKeyService.init() during start-up');
    this.name = 'SigningKeyUnavailableError';
  }
}
