/**
 * Secrets derived from ENCRYPTION_KEY, in Pocket ID v2's formats rather than a standard envelope (JWE),
 * so a Pocket ID database keeps working and an operator can move back:
 *
 * - signing-key KEK = HMAC-SHA3-256(key = ENCRYPTION_KEY bytes, `pocketid/<instanceId>/jwk-kek`)
 *   (Pocket ID `jwk.LoadKeyEncryptionKey`);
 * - encrypted-string key = HKDF-SHA256(ENCRYPTION_KEY, no salt, info `pocketid/encrypted_string`)
 *   (Pocket ID `model/types/encrypted_string.go`);
 * - ciphertext = std-base64(12-byte random nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag), which is what
 *   Go's `gcm.Seal(nonce, nonce, plaintext, aad)` produces. JWKs use no AAD; encrypted strings use
 *   the AAD `encrypted_string`.
 *
 * ENCRYPTION_KEY is used as raw bytes, exactly as Pocket ID does with `[]byte(EncryptionKey)`.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { KeyDecryptionError } from './crypto.errors.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const ENCRYPTED_STRING_AAD = Buffer.from('encrypted_string', 'utf8');
// Go's base64.StdEncoding is strict (padding required, no whitespace); so are we.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function requireEncryptionKey(encryptionKey: Buffer): void {
  if (!Buffer.isBuffer(encryptionKey) || encryptionKey.length === 0) {
    throw new TypeError('ENCRYPTION_KEY is empty');
  }
}

function requireAesKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new TypeError(`an AES-256 key must be ${KEY_BYTES} bytes`);
  }
}

/** Pocket ID's `crypto.DeriveKey`: HMAC-SHA3-256 keyed with ENCRYPTION_KEY over a seed string. */
export function deriveKey(encryptionKey: Buffer, seed: string): Buffer {
  requireEncryptionKey(encryptionKey);
  return createHmac('sha3-256', encryptionKey).update(seed, 'utf8').digest();
}

/** The key that encrypts signing keys at rest; tied to one instance (kv `instance_id`). */
export function deriveJwkKek(encryptionKey: Buffer, instanceId: string): Buffer {
  return deriveKey(encryptionKey, `pocketid/${instanceId}/jwk-kek`);
}

/** The key of encrypted columns (SCIM tokens, plugin secrets). */
export function deriveEncryptedStringKey(encryptionKey: Buffer): Buffer {
  requireEncryptionKey(encryptionKey);
  return Buffer.from(
    hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'pocketid/encrypted_string', KEY_BYTES),
  );
}

function seal(key: Buffer, plaintext: Buffer, aad?: Buffer): Buffer {
  requireAesKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

function open(key: Buffer, blob: string, aad?: Buffer): Buffer {
  requireAesKey(key);
  if (typeof blob !== 'string' || !STD_BASE64.test(blob)) {
    throw new KeyDecryptionError('corrupt', { detail: 'not valid base64' });
  }
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) {
    throw new KeyDecryptionError('corrupt', {
      detail: `${bytes.length} bytes, at least ${NONCE_BYTES + TAG_BYTES} expected`,
    });
  }
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const ciphertext = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new KeyDecryptionError('wrong_key', { cause });
  }
}

/** Encrypts a private JWK's JSON under the KEK (no AAD), as Pocket ID stores `jwt_private_key.json`. */
export function encryptJwk(kek: Buffer, jwkJson: string): string {
  return seal(kek, Buffer.from(jwkJson, 'utf8')).toString('base64');
}

/** @throws KeyDecryptionError `corrupt` (bad base64, too short) or `wrong_key` (tag mismatch). */
export function decryptJwk(kek: Buffer, blob: string): string {
  return open(kek, blob).toString('utf8');
}

/**
 * Encrypts a column value. As in Pocket ID's `EncryptedString`, the empty string stays empty so an
 * unset column needs no key.
 */
export function encryptString(key: Buffer, plaintext: string): string {
  if (plaintext === '') return '';
  return seal(key, Buffer.from(plaintext, 'utf8'), ENCRYPTED_STRING_AAD).toString('base64');
}

/** @throws KeyDecryptionError `corrupt` or `wrong_key`. */
export function decryptString(key: Buffer, blob: string): string {
  if (blob === '') return '';
  try {
    return open(key, blob, ENCRYPTED_STRING_AAD).toString('utf8');
  } catch (err) {
    throw err instanceof KeyDecryptionError ? err.about({ subject: 'an encrypted string' }) : err;
  }
}
