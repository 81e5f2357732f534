/**
 * Verifies a passkey assertion (WebAuthn Level 3, §7.2 "Verifying an Authentication Assertion").
 *
 * Departure from using @simplewebauthn/server alone: its `verifyAuthenticationResponse` checks the
 * signature through WebCrypto, which on Node sends each of its three or four calls (two SHA-256 digests,
 * a JWK key import, the verify) to libuv's thread pool. Under load that costs a sign-in 0.6–1.2 ms of
 * CPU, against about 0.07 ms for node:crypto's synchronous `verify` with a key object made once per
 * credential (docs/benchmarks.md, "Passkey sign-in"). So an assertion is first tried on a fast path
 * that only ever *accepts*: the common shape (37 bytes of authenticator data, no extensions, a
 * same-origin ceremony, an EC2, RSA or Ed25519 key) with every check of §7.2 and a node:crypto
 * signature check. Anything else, and every assertion the fast path does not accept, goes to the
 * library, whose verdict and error messages are final. The fast path therefore never refuses what the
 * library would take, and a test (assertion-verifier.test.ts) checks that it accepts nothing the
 * library refuses, on valid and tampered assertions of every key type it handles.
 */
import { constants, createHash, createPublicKey, verify, type KeyObject, type JsonWebKey } from 'node:crypto';
import {
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
} from '@simplewebauthn/server';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';

export interface StoredCredential {
  /** base64url credential id */
  id: string;
  /** COSE public key, as registration stored it */
  publicKey: Uint8Array;
  /** The signature counter last seen */
  counter: number;
  transports?: string[];
}

/** The library parsed and checked the assertion, but its signature does not verify. */
export class AssertionSignatureError extends Error {
  constructor() {
    super('The signature does not verify');
    this.name = 'AssertionSignatureError';
  }
}

export interface AssertionResult {
  newCounter: number;
  userVerified: boolean;
  credentialBackedUp: boolean;
}

/** How node:crypto verifies one credential's signatures. */
interface Verifier {
  key: KeyObject | { key: KeyObject; padding: number; saltLength: number };
  /** node:crypto digest name; null for Ed25519 */
  hash: string | null;
}

const B64U = /^[A-Za-z0-9_-]*$/;
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
/** Attested credential data (AT) and extensions (ED): never in the fast path's 37 bytes. */
const FLAG_AT_ED = 0xc0;
/** Key objects kept per public key; a sign-in's credential is usually one seen recently. */
const KEY_CACHE_SIZE = 1024;

const EC_CURVES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521' };
const EC_HASHES: Record<number, string> = { [-7]: 'sha256', [-35]: 'sha384', [-36]: 'sha512' };
const RSA_PKCS1_HASHES: Record<number, string> = {
  [-257]: 'sha256',
  [-258]: 'sha384',
  [-259]: 'sha512',
  [-65535]: 'sha1',
};
/** RSA-PSS with the salt as long as the hash, as @simplewebauthn/server's WebCrypto call requires. */
const RSA_PSS: Record<number, { hash: string; saltLength: number }> = {
  [-37]: { hash: 'sha256', saltLength: 32 },
  [-38]: { hash: 'sha384', saltLength: 48 },
  [-39]: { hash: 'sha512', saltLength: 64 },
};

const b64u = (bytes: unknown): string | undefined =>
  bytes instanceof Uint8Array ? Buffer.from(bytes).toString('base64url') : undefined;

/** A node:crypto verifier for a COSE key, or null for a key type or algorithm left to the library. */
function verifierFor(cosePublicKey: Uint8Array): Verifier | null {
  const cose = decodeCredentialPublicKey(cosePublicKey as Uint8Array<ArrayBuffer>) as Map<number, unknown>;
  const kty = cose.get(1);
  const alg = cose.get(3);
  if (typeof alg !== 'number') return null;
  let jwk: JsonWebKey;
  if (kty === 2) {
    const crv = EC_CURVES[cose.get(-1) as number];
    const hash = EC_HASHES[alg];
    const x = b64u(cose.get(-2));
    const y = b64u(cose.get(-3));
    if (!crv || !hash || !x || !y) return null;
    jwk = { kty: 'EC', crv, x, y };
    return { key: createPublicKey({ key: jwk, format: 'jwk' }), hash };
  }
  if (kty === 3) {
    const n = b64u(cose.get(-1));
    const e = b64u(cose.get(-2));
    if (!n || !e) return null;
    const key = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });
    const pkcs1 = RSA_PKCS1_HASHES[alg];
    if (pkcs1) return { key, hash: pkcs1 };
    const pss = RSA_PSS[alg];
    if (!pss) return null;
    return {
      key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength },
      hash: pss.hash,
    };
  }
  if (kty === 1 && alg === -8 && cose.get(-1) === 6) {
    const x = b64u(cose.get(-2));
    if (!x) return null;
    return { key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }), hash: null };
  }
  return null;
}

function decoded(text: unknown): Buffer | undefined {
  // Strict base64url, and no length that cannot be whole bytes: what the library would decode the same.
  if (typeof text !== 'string' || !B64U.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64url');
}

export class AssertionVerifier {
  private readonly rpIdHash: Buffer;
  private readonly keys = new Map<string, Verifier | null>();

  constructor(
    private readonly rp: {
      /** The RP ID (APP_URL's host name) */
      id: string;
      /** The one origin ceremonies may come from (APP_URL's origin) */
      origin: string;
    },
  ) {
    this.rpIdHash = createHash('sha256').update(rp.id, 'ascii').digest();
  }

  /**
   * Verifies `response` against the challenge and the stored credential; throws the library's error
   * (its message names what failed, e.g. "counter value", "user verification") when it does not hold.
   */
  async verify(
    response: AuthenticationResponseJSON,
    expected: { challenge: string; requireUserVerification: boolean; credential: StoredCredential },
  ): Promise<AssertionResult> {
    const fast = this.accept(response, expected);
    if (fast) return fast;
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: this.rp.origin,
      expectedRPID: this.rp.id,
      credential: {
        id: expected.credential.id,
        publicKey: expected.credential.publicKey as Uint8Array<ArrayBuffer>,
        counter: expected.credential.counter,
        transports: expected.credential.transports as AuthenticatorTransport[] | undefined,
      },
      requireUserVerification: expected.requireUserVerification,
    });
    if (!verification.verified) throw new AssertionSignatureError();
    const info = verification.authenticationInfo;
    return {
      newCounter: info.newCounter,
      userVerified: info.userVerified,
      credentialBackedUp: info.credentialBackedUp,
    };
  }

  /**
   * The fast path alone: a result when every check holds, otherwise undefined (never throws). Public so
   * a test can hold it to the library's verdict case by case.
   */
  accept(
    response: AuthenticationResponseJSON,
    expected: { challenge: string; requireUserVerification: boolean; credential: StoredCredential },
  ): AssertionResult | undefined {
    try {
      // §7.2 steps 1–5: a public-key credential, the one whose record we hold.
      if (!response || typeof response.id !== 'string' || response.id === '') return undefined;
      if (response.rawId !== response.id || response.type !== 'public-key') return undefined;
      if (response.id !== expected.credential.id) return undefined;
      const assertion = response.response;
      if (!assertion || typeof assertion !== 'object') return undefined;
      if (assertion.userHandle !== undefined && typeof assertion.userHandle !== 'string') return undefined;
      const clientDataBytes = decoded(assertion.clientDataJSON);
      const authData = decoded(assertion.authenticatorData);
      const signature = decoded(assertion.signature);
      if (!clientDataBytes || !authData || !signature) return undefined;

      // Steps 10–14: the client data of a `get` ceremony on our origin with our challenge, not framed.
      const clientData = JSON.parse(clientDataBytes.toString('utf8')) as Record<string, unknown>;
      if (!clientData || typeof clientData !== 'object') return undefined;
      if (clientData.type !== 'webauthn.get') return undefined;
      if (clientData.challenge !== expected.challenge) return undefined;
      if (clientData.origin !== this.rp.origin) return undefined;
      if (clientData.crossOrigin || clientData.topOrigin !== undefined) return undefined;
      if (clientData.tokenBinding !== undefined) return undefined;

      // Steps 15–19: our RP ID hash, user present, verified when required, consistent backup flags, and
      // nothing after the counter (attested data and extensions take the library's path).
      if (authData.length !== 37 || !authData.subarray(0, 32).equals(this.rpIdHash)) return undefined;
      const flags = authData[32]!;
      if (flags & FLAG_AT_ED || !(flags & FLAG_UP)) return undefined;
      if (expected.requireUserVerification && !(flags & FLAG_UV)) return undefined;
      if (flags & FLAG_BS && !(flags & FLAG_BE)) return undefined;

      // Step 22: a counter that does not move forward is the library's to refuse (it names it).
      const counter = authData.readUInt32BE(33);
      const stored = expected.credential.counter;
      if ((counter > 0 || stored > 0) && counter <= stored) return undefined;

      // Steps 20–21: the signature over authenticatorData ‖ SHA-256(clientDataJSON).
      const verifier = this.verifierFor(expected.credential.publicKey);
      if (!verifier) return undefined;
      const signed = Buffer.concat([authData, createHash('sha256').update(clientDataBytes).digest()]);
      if (!verify(verifier.hash, signed, verifier.key, signature)) return undefined;
      return {
        newCounter: counter,
        userVerified: (flags & FLAG_UV) !== 0,
        credentialBackedUp: (flags & FLAG_BS) !== 0,
      };
    } catch {
      // Malformed JSON, a key node:crypto cannot import, a signature it cannot parse: the library decides.
      return undefined;
    }
  }

  private verifierFor(publicKey: Uint8Array): Verifier | null {
    const id = Buffer.from(publicKey).toString('base64');
    let verifier = this.keys.get(id);
    if (verifier === undefined) {
      verifier = verifierFor(publicKey);
      if (this.keys.size >= KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, verifier);
    }
    return verifier;
  }
}
