import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { AssertionSignatureError, AssertionVerifier } from './assertion-verifier.js';

// The fast path must accept nothing @simplewebauthn/server refuses, and what it accepts it must describe
// as the library does. Every case below runs through both, on each key type the fast path handles.

const RP_ID = 'login.example.com';
const ORIGIN = 'https://login.example.com';
const CHALLENGE = Buffer.from('a challenge of thirty-two bytes!').toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64u = (data: Buffer) => data.toString('base64url');

interface KeyKind {
  name: string;
  privateKey: KeyObject;
  cose: Uint8Array;
  sign(data: Buffer): Buffer;
}

function coseOf(entries: [number, number | Buffer][]): Uint8Array {
  return isoCBOR.encode(new Map<number, number | Uint8Array>(entries) as never);
}

function ecKey(name: string, curve: string, crv: number, alg: number, hash: string): KeyKind {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    name,
    privateKey,
    cose: coseOf([
      [1, 2],
      [3, alg],
      [-1, crv],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
    sign: (data) => sign(hash, data, privateKey),
  };
}

function rsaKey(name: string, alg: number, hash: string, pss?: number): KeyKind {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    name,
    privateKey,
    cose: coseOf([
      [1, 3],
      [3, alg],
      [-1, Buffer.from(jwk.n!, 'base64url')],
      [-2, Buffer.from(jwk.e!, 'base64url')],
    ]),
    sign: (data) =>
      pss
        ? sign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss })
        : sign(hash, data, privateKey),
  };
}

function edKey(): KeyKind {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    name: 'Ed25519',
    privateKey,
    cose: coseOf([
      [1, 1],
      [3, -8],
      [-1, 6],
      [-2, Buffer.from(jwk.x!, 'base64url')],
    ]),
    sign: (data) => sign(null, data, privateKey),
  };
}

const kinds: KeyKind[] = [
  ecKey('ES256', 'P-256', 1, -7, 'sha256'),
  ecKey('ES384', 'P-384', 2, -35, 'sha384'),
  ecKey('ES512', 'P-521', 3, -36, 'sha512'),
  rsaKey('RS256', -257, 'sha256'),
  rsaKey('PS256', -37, 'sha256', 32),
  edKey(),
];

interface Parts {
  rpId: string;
  flags: number;
  counter: number;
  clientData: Record<string, unknown>;
  /** Applied to the signed bytes' signature */
  signature?: (sig: Buffer) => Buffer;
  /** Applied to authenticatorData after signing */
  authData?: (data: Buffer) => Buffer;
  /** Applied to the JSON the browser posts */
  json?: (response: AuthenticationResponseJSON) => AuthenticationResponseJSON;
  /** Sign with this key instead of the credential's */
  signer?: KeyKind;
}

const CREDENTIAL_ID = b64u(Buffer.from('credential-0001'));

function assertion(kind: KeyKind, change: Partial<Parts> = {}): AuthenticationResponseJSON {
  const parts: Parts = {
    rpId: RP_ID,
    flags: 0x05, // UP | UV
    counter: 8,
    clientData: { type: 'webauthn.get', challenge: CHALLENGE, origin: ORIGIN, crossOrigin: false },
    ...change,
  };
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(parts.counter);
  let authData: Buffer = Buffer.concat([sha256(parts.rpId), Buffer.from([parts.flags]), counter]);
  const clientDataJSON = Buffer.from(JSON.stringify(parts.clientData));
  let signature: Buffer = (parts.signer ?? kind).sign(Buffer.concat([authData, sha256(clientDataJSON)]));
  if (parts.signature) signature = parts.signature(signature);
  if (parts.authData) authData = parts.authData(authData);
  const response: AuthenticationResponseJSON = {
    id: CREDENTIAL_ID,
    rawId: CREDENTIAL_ID,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64u(clientDataJSON),
      authenticatorData: b64u(authData),
      signature: b64u(signature),
    },
  };
  return parts.json ? parts.json(response) : response;
}

const flip = (at: number) => (data: Buffer) => {
  const copy = Buffer.from(data);
  const i = at < 0 ? copy.length + at : at;
  copy[i] = copy[i]! ^ 0x01;
  return copy;
};

/** Each case: what changes from a valid assertion, and the stored counter and UV requirement. */
const cases: { name: string; change?: Partial<Parts>; storedCounter?: number; requireUv?: boolean }[] = [
  { name: 'a valid assertion' },
  {
    name: 'a valid assertion without user verification, not required',
    change: { flags: 0x01 },
    requireUv: false,
  },
  { name: 'a counter of zero on a credential that never counted', change: { counter: 0 }, storedCounter: 0 },
  { name: 'backed up and eligible', change: { flags: 0x1d } },
  { name: 'no user verification where it is required', change: { flags: 0x01 } },
  { name: 'no user presence', change: { flags: 0x04 } },
  { name: 'backed up but not eligible', change: { flags: 0x15 } },
  { name: 'the extensions flag without extensions', change: { flags: 0x85 } },
  { name: 'the attested-data flag without data', change: { flags: 0x45 } },
  { name: 'a counter that did not move', change: { counter: 8 }, storedCounter: 8 },
  { name: 'a counter that went back', change: { counter: 3 }, storedCounter: 8 },
  { name: 'another RP ID', change: { rpId: 'evil.example.com' } },
  {
    name: 'another origin',
    change: {
      clientData: { type: 'webauthn.get', challenge: CHALLENGE, origin: 'https://evil.example.com' },
    },
  },
  {
    name: 'another challenge',
    change: { clientData: { type: 'webauthn.get', challenge: b64u(Buffer.from('other')), origin: ORIGIN } },
  },
  {
    name: 'a registration ceremony',
    change: { clientData: { type: 'webauthn.create', challenge: CHALLENGE, origin: ORIGIN } },
  },
  {
    name: 'a framed ceremony with a top origin',
    change: {
      clientData: {
        type: 'webauthn.get',
        challenge: CHALLENGE,
        origin: ORIGIN,
        crossOrigin: true,
        topOrigin: 'https://evil.example.com',
      },
    },
  },
  {
    name: 'a top origin without crossOrigin',
    change: {
      clientData: { type: 'webauthn.get', challenge: CHALLENGE, origin: ORIGIN, topOrigin: ORIGIN },
    },
  },
  { name: 'a signature with its last byte flipped', change: { signature: flip(-1) } },
  { name: 'a signature with a byte in the middle flipped', change: { signature: flip(20) } },
  {
    name: 'a signature with a byte added',
    change: { signature: (s) => Buffer.concat([s, Buffer.from([0])]) },
  },
  { name: 'an empty signature', change: { signature: () => Buffer.alloc(0) } },
  { name: 'authenticator data changed after signing', change: { authData: flip(33) } },
  { name: 'flags raised after signing', change: { flags: 0x01, authData: flip(32) }, requireUv: true },
  {
    name: 'extension bytes appended after signing',
    change: { authData: (d) => Buffer.concat([d, Buffer.from([0xa0])]) },
  },
  { name: 'a signature by another key', change: { signer: ecKey('other', 'P-256', 1, -7, 'sha256') } },
  { name: 'a rawId that is not the id', change: { json: (r) => ({ ...r, rawId: b64u(Buffer.from('x')) }) } },
  {
    name: 'client data that is not JSON',
    change: {
      json: (r) => ({ ...r, response: { ...r.response, clientDataJSON: b64u(Buffer.from('{not json')) } }),
    },
  },
  {
    name: 'a signature that is not base64url',
    change: { json: (r) => ({ ...r, response: { ...r.response, signature: 'a+b/c==' } }) },
  },
  {
    name: 'a type that is not public-key',
    change: { json: (r) => ({ ...r, type: 'password' as 'public-key' }) },
  },
];

async function libraryVerdict(
  response: AuthenticationResponseJSON,
  kind: KeyKind,
  counter: number,
  requireUserVerification: boolean,
) {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential: { id: CREDENTIAL_ID, publicKey: kind.cose as Uint8Array<ArrayBuffer>, counter },
      requireUserVerification,
    });
    if (!result.verified) return { accepted: false as const };
    const info = result.authenticationInfo;
    return {
      accepted: true as const,
      result: {
        newCounter: info.newCounter,
        userVerified: info.userVerified,
        credentialBackedUp: info.credentialBackedUp,
      },
    };
  } catch (error) {
    return { accepted: false as const, message: (error as Error).message };
  }
}

describe('AssertionVerifier', () => {
  const verifier = new AssertionVerifier({ id: RP_ID, origin: ORIGIN });

  for (const kind of kinds) {
    describe(kind.name, () => {
      for (const c of cases) {
        it(`agrees with @simplewebauthn/server on ${c.name}`, async () => {
          const response = assertion(kind, c.change);
          const expected = {
            challenge: CHALLENGE,
            requireUserVerification: c.requireUv ?? true,
            credential: { id: CREDENTIAL_ID, publicKey: kind.cose, counter: c.storedCounter ?? 7 },
          };
          const library = await libraryVerdict(
            response,
            kind,
            expected.credential.counter,
            expected.requireUserVerification,
          );
          const fast = verifier.accept(response, expected);
          // The fast path accepts only what the library accepts, and describes it the same way.
          if (fast) expect(library).toEqual({ accepted: true, result: fast });
          // The library's verdict is the verifier's, whichever path decided.
          const ours = await verifier.verify(response, expected).then(
            (result) => ({ accepted: true as const, result }),
            (error: Error) => ({ accepted: false as const, message: error.message }),
          );
          if (library.accepted) expect(ours).toEqual(library);
          else expect(ours.accepted).toBe(false);
        });
      }

      it('takes the fast path for the common valid shapes', () => {
        for (const flags of [0x05, 0x01, 0x1d]) {
          const response = assertion(kind, { flags });
          const result = verifier.accept(response, {
            challenge: CHALLENGE,
            requireUserVerification: false,
            credential: { id: CREDENTIAL_ID, publicKey: kind.cose, counter: 7 },
          });
          expect(result).toEqual({
            newCounter: 8,
            userVerified: (flags & 0x04) !== 0,
            credentialBackedUp: (flags & 0x10) !== 0,
          });
        }
      });
    });
  }

  it('names a counter that went back in its error, as the sign-in route expects', async () => {
    const kind = kinds[0]!;
    await expect(
      verifier.verify(assertion(kind, { counter: 3 }), {
        challenge: CHALLENGE,
        requireUserVerification: true,
        credential: { id: CREDENTIAL_ID, publicKey: kind.cose, counter: 8 },
      }),
    ).rejects.toThrow(/counter value/);
  });

  it('refuses a signature that does not verify with an error saying so', async () => {
    const kind = kinds[0]!;
    const refused = verifier.verify(assertion(kind, { signature: flip(-1) }), {
      challenge: CHALLENGE,
      requireUserVerification: true,
      credential: { id: CREDENTIAL_ID, publicKey: kind.cose, counter: 7 },
    });
    await expect(refused).rejects.toThrow(/signature does not verify|signature/i);
    await expect(refused).rejects.toBeInstanceOf(AssertionSignatureError);
  });
});
