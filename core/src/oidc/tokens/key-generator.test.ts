import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, normalizePrivateJwk, parseSigningAlg, toPublicJwk } from './key-generator.js';
import { InvalidSigningAlgorithmError } from './signing-key.errors.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

describe('parseSigningAlg', () => {
  it('accepts the algorithms of `key-rotate --alg` and defaults EdDSA to Ed25519', () => {
    expect(parseSigningAlg('RS384')).toEqual({ alg: 'RS384' });
    expect(parseSigningAlg('EdDSA')).toEqual({ alg: 'EdDSA', crv: 'Ed25519' });
    expect(parseSigningAlg('EdDSA', 'Ed25519')).toEqual({ alg: 'EdDSA', crv: 'Ed25519' });
  });

  it('rejects unknown algorithms and misplaced curves with a typed error', () => {
    for (const [alg, crv] of [['HS256'], ['rs256'], ['EdDSA', 'Ed448'], ['ES256', 'P-256']] as const) {
      expect(() => parseSigningAlg(alg, crv)).toThrow(InvalidSigningAlgorithmError);
    }
    try {
      parseSigningAlg('PS256');
    } catch (err) {
      expect(err).toMatchObject({ code: 'LATCHKEY_ERR_SIGNING_ALG' });
    }
  });
});

describe('generateSigningKey', () => {
  it.each([
    ['RS256', 'RSA', 2048],
    ['RS384', 'RSA', 3072],
    ['ES384', 'EC', 'P-384'],
    ['ES512', 'EC', 'P-521'],
    ['EdDSA', 'OKP', 'Ed25519'],
  ] as const)('%s makes a %s key (%s) with kid, use and alg', async (alg, kty, size) => {
    const jwk = await generateSigningKey(alg);
    expect(jwk).toMatchObject({ kty, alg, use: 'sig' });
    expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(typeof jwk.d).toBe('string');
    if (kty === 'RSA') expect(Buffer.from(jwk.n!, 'base64url').length * 8).toBe(size);
    else expect(jwk.crv).toBe(size);
  });

  it('toPublicJwk keeps only public material plus kid, use, alg', async () => {
    const jwk = await generateSigningKey('RS256');
    const pub = toPublicJwk(jwk);
    expect(Object.keys(pub).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    for (const m of PRIVATE_MEMBERS) expect(pub).not.toHaveProperty(m);
  });
});

describe('normalizePrivateJwk (keys coming from Pocket ID)', () => {
  it('infers alg from the key type and curve, and uses the RFC 7638 thumbprint as a missing kid', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    const normalized = await normalizePrivateJwk(ec);
    expect(normalized).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig' });
    expect(normalized.kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: ec.crv, x: ec.x, y: ec.y }));

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    expect(await normalizePrivateJwk({ ...rsa, kid: 'keep-me', alg: 'RS512' })).toMatchObject({
      kid: 'keep-me',
      alg: 'RS512',
    });
  });

  it('rejects public keys, other uses and algorithms that do not fit the key', async () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const { d: _d, ...pub } = ed;
    await expect(normalizePrivateJwk(pub)).rejects.toThrow(/not a private key/);
    await expect(normalizePrivateJwk({ ...ed, use: 'enc' })).rejects.toThrow(/use/);
    await expect(normalizePrivateJwk({ ...ed, alg: 'ES256' })).rejects.toThrow(/does not fit/);
    await expect(normalizePrivateJwk({ ...ed, x: 'AAAA' })).rejects.toThrow();
    await expect(normalizePrivateJwk('{"kty":"RSA"}')).rejects.toThrow(/not a JSON object/);
  });
});
