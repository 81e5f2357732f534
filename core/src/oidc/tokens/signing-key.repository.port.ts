/** A signing key as stored: the private JWK is always encrypted at rest (see crypto/). */
export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  /** base64(nonce ‖ AES-256-GCM ciphertext of the private JWK JSON), Pocket ID v2's format. */
  encryptedPrivateJwk: string;
  /** The public JWK as JSON text (no private members). */
  publicJwk: string;
  createdAt: Date;
  /** Set when a newer key replaced this one: the key still verifies, never signs. */
  retiredAt: Date | null;
  /** After this instant the key is dropped from the JWKS. */
  expiresAt: Date | null;
}

export type SigningAlg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface SigningKeyRepository {
  /** Keys that have not expired, newest first; the first one without `retiredAt` is the current key. */
  listUsable(now: Date): Promise<StoredSigningKey[]>;
  /** Every key, expired ones included (used by encryption-key rotation). */
  listAll(): Promise<StoredSigningKey[]>;
  /**
   * Inserts `key` as the current key and retires every other current key with the given expiry,
   * in one transaction.
   */
  rotate(key: StoredSigningKey, previousExpiresAt: Date): Promise<void>;
  /** Replaces the encrypted private JWK of each listed kid (encryption-key rotation), in one transaction. */
  reencrypt(updates: { kid: string; encryptedPrivateJwk: string }[]): Promise<void>;
  /** Deletes keys whose expiry has passed. */
  deleteExpired(now: Date): Promise<number>;
}
