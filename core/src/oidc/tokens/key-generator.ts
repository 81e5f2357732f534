/**
 * Signing-key generation and JWK shaping. Key sizes follow Pocket ID's `jwk.GenerateKey` (RS256 2048,
 * RS384 3072, RS512 4096 bits; ES256/384/512 on P-256/384/521; EdDSA on Ed25519) so `key-rotate --alg`
 * gives the same key an operator would get from Pocket ID.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import type { SigningAlg } from './signing-key.repository.port.js';
import { InvalidSigningAlgorithmError } from './signing-key.errors.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const SIGNING_ALGS: readonly SigningAlg[] = [
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
export type SigningCurve = 'Ed25519';
export const DEFAULT_SIGNING_ALG: SigningAlg = 'RS256';

export type SigningKeyType = 'RSA' | 'EC' | 'OKP';

/** The public half as published in the JWKS: key material plus `kid`, `use`, `alg`, nothing else. */
export interface PublicSigningJwk {
  kty: SigningKeyType;
  kid: string;
  use: 'sig';
  alg: SigningAlg;
  crv?: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
}

export interface PrivateSigningJwk extends PublicSigningJwk {
  d: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
}

const PUBLIC_MEMBERS: Record<SigningKeyType, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};
const PRIVATE_MEMBERS: Record<SigningKeyType, readonly string[]> = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['d'],
  OKP: ['d'],
};
const EC_CURVE_ALG: Record<string, SigningAlg> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

export function isSigningAlg(value: unknown): value is SigningAlg {
  return typeof value === 'string' && (SIGNING_ALGS as readonly string[]).includes(value);
}

/**
 * Validates CLI input (`key-rotate --alg … [--crv …]`). EdDSA defaults to Ed25519, the only curve
 * Pocket ID offers.
 */
export function parseSigningAlg(alg: string, crv?: string): { alg: SigningAlg; crv?: SigningCurve } {
  if (!isSigningAlg(alg)) {
    throw new InvalidSigningAlgorithmError(
      `Unsupported signing algorithm "${alg}"; use one of ${SIGNING_ALGS.join(', ')}`,
    );
  }
  if (alg === 'EdDSA') {
    if (crv !== undefined && crv !== 'Ed25519') {
      throw new InvalidSigningAlgorithmError(
        `Unsupported curve "${crv}" for EdDSA; only Ed25519 is supported`,
      );
    }
    return { alg, crv: 'Ed25519' };
  }
  if (crv !== undefined && crv !== '') {
    throw new InvalidSigningAlgorithmError(`A curve applies only to EdDSA; ${alg} takes none`);
  }
  return { alg };
}

/** A random key id: 16 bytes, base64url. */
export function newKeyId(): string {
  return randomBytes(16).toString('base64url');
}

async function generateKeyObject(alg: SigningAlg): Promise<KeyObject> {
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512': {
      const modulusLength = alg === 'RS256' ? 2048 : alg === 'RS384' ? 3072 : 4096;
      return (await generateKeyPairAsync('rsa', { modulusLength, publicExponent: 0x10001 })).privateKey;
    }
    case 'ES256':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
    case 'ES384':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-384' })).privateKey;
    case 'ES512':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-521' })).privateKey;
    case 'EdDSA':
      return (await generateKeyPairAsync('ed25519')).privateKey;
  }
}

/** Generates a private signing JWK with a random `kid`, `use: "sig"` and `alg`. */
export async function generateSigningKey(alg: SigningAlg, crv?: SigningCurve): Promise<PrivateSigningJwk> {
  parseSigningAlg(alg, crv);
  const privateKey = await generateKeyObject(alg);
  const exported = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return shape({ ...exported, kid: newKeyId(), use: 'sig', alg }, true) as PrivateSigningJwk;
}

/** Strips every private member (d, p, q, dp, dq, qi) and anything that is not public key material. */
export function toPublicJwk(jwk: PublicSigningJwk | PrivateSigningJwk): PublicSigningJwk {
  return shape(jwk as unknown as Record<string, unknown>, false);
}

function shape(jwk: Record<string, unknown>, includePrivate: boolean): PublicSigningJwk {
  const kty = jwk.kty as SigningKeyType;
  const out: Record<string, unknown> = { kty, kid: jwk.kid, use: 'sig', alg: jwk.alg };
  const members = includePrivate ? [...PUBLIC_MEMBERS[kty], ...PRIVATE_MEMBERS[kty]] : PUBLIC_MEMBERS[kty];
  for (const name of members) {
    if (typeof jwk[name] === 'string') out[name] = jwk[name];
  }
  return out as unknown as PublicSigningJwk;
}

function algFor(kty: SigningKeyType, crv: unknown): SigningAlg | undefined {
  if (kty === 'RSA') return 'RS256';
  if (kty === 'EC') return typeof crv === 'string' ? EC_CURVE_ALG[crv] : undefined;
  return crv === 'Ed25519' ? 'EdDSA' : undefined;
}

function algMatches(kty: SigningKeyType, crv: unknown, alg: SigningAlg): boolean {
  if (kty === 'RSA') return alg === 'RS256' || alg === 'RS384' || alg === 'RS512';
  return algFor(kty, crv) === alg;
}

/**
 * Checks a private JWK that came from storage or from Pocket ID and fills what Pocket ID may have
 * left out, the way its `EnsureAlgInKey` does: a missing `alg` is inferred from the key type and
 * curve, a missing `kid` becomes the RFC 7638 thumbprint (stable, so re-importing gives the same kid).
 * @throws Error when it is not a usable private signing key (callers report it as corrupt).
 */
export async function normalizePrivateJwk(raw: unknown): Promise<PrivateSigningJwk> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  const jwk = raw as Record<string, unknown>;
  const kty = jwk.kty;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') throw new Error(`unsupported key type ${String(kty)}`);
  if (typeof jwk.d !== 'string') throw new Error('not a private key (no "d")');
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new Error(`key use is "${String(jwk.use)}", not "sig"`);

  let alg: SigningAlg | undefined;
  if (jwk.alg === undefined) {
    alg = algFor(kty, jwk.crv);
    if (!alg) throw new Error(`unsupported curve ${String(jwk.crv)}`);
  } else if (isSigningAlg(jwk.alg) && algMatches(kty, jwk.crv, jwk.alg)) {
    alg = jwk.alg;
  } else {
    throw new Error(`algorithm ${String(jwk.alg)} does not fit a ${kty} key`);
  }

  // Proves the key material is well-formed and that the public half (what the JWKS will publish)
  // belongs to the private half: Node derives an OKP/EC public key from `d` and ignores `x`/`y`.
  const derived = createPublicKey(createPrivateKey({ key: jwk as never, format: 'jwk' })).export({
    format: 'jwk',
  });
  for (const name of PUBLIC_MEMBERS[kty]) {
    if (jwk[name] !== (derived as Record<string, unknown>)[name])
      throw new Error(`"${name}" does not match the private key`);
  }

  const kid =
    typeof jwk.kid === 'string' && jwk.kid !== ''
      ? jwk.kid
      : await calculateJwkThumbprint(shape({ ...jwk, alg }, false) as never);
  return shape({ ...jwk, kid, alg }, true) as PrivateSigningJwk;
}
