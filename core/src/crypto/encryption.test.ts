import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptJwk,
  decryptString,
  deriveEncryptedStringKey,
  deriveJwkKek,
  deriveKey,
  encryptJwk,
  encryptString,
} from './encryption.js';
import { KeyDecryptionError } from './crypto.errors.js';

const ENCRYPTION_KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const INSTANCE_ID = '6f1c1b9e-2a57-4c1e-9d0e-3f0b8a1c2d3e';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('key derivation (Pocket ID v2)', () => {
  it("matches Pocket ID's own DeriveKey test vector (HMAC-SHA3-256)", () => {
    // backend/internal/utils/crypto/crypto_test.go, TestDeriveKeyUsesStableValueForCustomSeed
    expect(
      deriveKey(Buffer.from('test-encryption-key'), 'custom-seed-for-derive-key-test').toString('hex'),
    ).toBe('4711f51767f370cef92807634ab9b534476e7f91c1c9914fb681e9982badc646');
  });

  it('derives the JWK KEK from the instance id', () => {
    const expected = createHmac('sha3-256', ENCRYPTION_KEY)
      .update(`pocketid/${INSTANCE_ID}/jwk-kek`)
      .digest();
    const kek = deriveJwkKek(ENCRYPTION_KEY, INSTANCE_ID);
    expect(kek).toHaveLength(32);
    expect(kek.equals(expected)).toBe(true);
    expect(deriveJwkKek(ENCRYPTION_KEY, 'another-instance').equals(kek)).toBe(false);
  });

  it('derives the encrypted-string key with HKDF-SHA256, no salt (RFC 5869 by hand)', () => {
    const prk = createHmac('sha256', Buffer.alloc(32)).update(ENCRYPTION_KEY).digest();
    const okm = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('pocketid/encrypted_string'), Buffer.from([1])]))
      .digest();
    expect(deriveEncryptedStringKey(ENCRYPTION_KEY).equals(okm)).toBe(true);
  });

  it('refuses an empty ENCRYPTION_KEY', () => {
    expect(() => deriveJwkKek(Buffer.alloc(0), INSTANCE_ID)).toThrow(TypeError);
  });
});

describe('encryptJwk / decryptJwk', () => {
  const kek = deriveJwkKek(ENCRYPTION_KEY, INSTANCE_ID);
  const jwkJson = JSON.stringify({
    kty: 'OKP',
    crv: 'Ed25519',
    x: 'abc',
    d: 'def',
    kid: 'k1',
    use: 'sig',
    alg: 'EdDSA',
  });

  it('round-trips, with a fresh nonce each time', () => {
    const a = encryptJwk(kek, jwkJson);
    const b = encryptJwk(kek, jwkJson);
    expect(a).not.toBe(b);
    expect(decryptJwk(kek, a)).toBe(jwkJson);
    expect(decryptJwk(kek, b)).toBe(jwkJson);
  });

  it("writes Go's gcm.Seal(nonce, nonce, plaintext, nil) layout: nonce ‖ ciphertext ‖ tag, std base64", () => {
    const blob = encryptJwk(kek, jwkJson);
    expect(blob).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const bytes = Buffer.from(blob, 'base64');
    expect(bytes).toHaveLength(12 + Buffer.byteLength(jwkJson) + 16);
    const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    expect(plain.toString()).toBe(jwkJson);
  });

  it('reads a blob assembled by hand the way Pocket ID writes it', () => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    const ciphertext = Buffer.concat([cipher.update(jwkJson, 'utf8'), cipher.final()]);
    const blob = Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64');
    expect(decryptJwk(kek, blob)).toBe(jwkJson);
  });

  it('a wrong key is a typed wrong_key error', () => {
    const blob = encryptJwk(kek, jwkJson);
    const err = thrown(() =>
      decryptJwk(deriveJwkKek(Buffer.from('another key of 32 bytes .......'), INSTANCE_ID), blob),
    );
    expect(err).toBeInstanceOf(KeyDecryptionError);
    expect(err).toMatchObject({ code: 'LATCHKEY_ERR_KEY_DECRYPT', problem: 'wrong_key' });
    expect((err as Error).message).toMatch(/authentication tag mismatch.*ENCRYPTION_KEY/);
  });

  it('a tampered blob is a wrong_key error too (the tag cannot tell the two apart)', () => {
    const bytes = Buffer.from(encryptJwk(kek, jwkJson), 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(thrown(() => decryptJwk(kek, bytes.toString('base64')))).toMatchObject({ problem: 'wrong_key' });
  });

  it('bad base64 and too-short blobs are corrupt, not a wrong key', () => {
    for (const blob of ['not base64!', 'abc', '', 'QUJD\n']) {
      const err = thrown(() => decryptJwk(kek, blob));
      expect(err).toBeInstanceOf(KeyDecryptionError);
      expect(err).toMatchObject({ problem: 'corrupt' });
      expect((err as Error).message).toMatch(/corrupt/);
    }
    expect(thrown(() => decryptJwk(kek, Buffer.alloc(27).toString('base64')))).toMatchObject({
      problem: 'corrupt',
      detail: '27 bytes, at least 28 expected',
    });
  });
});

describe('encryptString / decryptString (Pocket ID EncryptedString)', () => {
  const key = deriveEncryptedStringKey(ENCRYPTION_KEY);

  it('round-trips and authenticates the AAD "encrypted_string"', () => {
    const blob = encryptString(key, 'scim-token-✓');
    expect(decryptString(key, blob)).toBe('scim-token-✓');

    const bytes = Buffer.from(blob, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from('encrypted_string'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    expect(
      Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString(),
    ).toBe('scim-token-✓');

    // The same ciphertext under the JWK format (no AAD) must not open.
    expect(thrown(() => decryptJwk(key, blob))).toMatchObject({ problem: 'wrong_key' });
  });

  it('keeps the empty string empty, as Pocket ID does', () => {
    expect(encryptString(key, '')).toBe('');
    expect(decryptString(key, '')).toBe('');
  });

  it('a wrong key names the encrypted string', () => {
    const blob = encryptString(key, 'secret');
    const err = thrown(() => decryptString(deriveEncryptedStringKey(Buffer.from('x'.repeat(32))), blob));
    expect(err).toMatchObject({ code: 'LATCHKEY_ERR_KEY_DECRYPT', problem: 'wrong_key' });
    expect((err as Error).message).toMatch(/^Cannot decrypt an encrypted string/);
  });
});
