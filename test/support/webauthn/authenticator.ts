import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { encodeCbor } from './cbor.js';
import type { CborValue } from './cbor.js';

/**
 * A software WebAuthn authenticator plus the bit of browser around it (clientDataJSON, JSON
 * encoding): it stands in for a person's passkey device in HTTP tests. Built on node:crypto only.
 *
 * It answers the JSON options a relying party sends (bare, as @simplewebauthn/server's
 * generate*Options return and Pocket ID sends, or wrapped in `{ publicKey }`) with the JSON a
 * browser would post back. Every credential it makes is discoverable (resident).
 */

export type AuthenticatorAlg = 'ES256' | 'Ed25519';

export interface SoftwareAuthenticatorOptions {
  /** Key type for new credentials. Unset: the first of -7/-8 in the RP's pubKeyCredParams. */
  alg?: AuthenticatorAlg;
  /** 'none' (default) or 'packed' self-attestation (signed with the credential key, no x5c). */
  attestation?: 'none' | 'packed';
  /** AAGUID in uuid form; default all zeros. */
  aaguid?: string;
  /** Set the UV flag (default true). Per call: `authenticate(…, { userVerified })`. */
  userVerification?: boolean;
  /** BE flag (default false). */
  backupEligible?: boolean;
  /** BS flag (default false). BS without BE is allowed here, for negative tests. */
  backupState?: boolean;
  /** Origin put into clientDataJSON; default `https://${rpId}`. Per-call `origin` wins. */
  origin?: string;
  /** Signature counter of a new credential (in its registration authData); default 0. */
  signCountStart?: number;
}

export interface RegisterOverrides {
  /** Origin for clientDataJSON. */
  origin?: string;
  /** Hash this RP ID into authenticatorData instead of the requested one (the credential is still stored under the requested RP ID). */
  rpId?: string;
  /** clientDataJSON.type instead of 'webauthn.create'. */
  type?: string;
  /** clientDataJSON.challenge verbatim instead of the options' challenge. */
  challenge?: string;
}

export interface AuthenticateOverrides {
  /** Origin for clientDataJSON. */
  origin?: string;
  /** Hash this RP ID into authenticatorData instead of the requested one (credential selection still uses the requested RP ID). */
  rpId?: string;
  /** Use this credential (base64url id); it must be one this authenticator holds for the RP (and in allowCredentials if that is non-empty). */
  credentialId?: string;
  /** Put this counter into authenticatorData (and remember it) instead of incrementing. */
  signCount?: number;
  /** UV flag for this assertion. */
  userVerified?: boolean;
  /** After signing, flip a character of the challenge inside clientDataJSON. */
  tamperClientData?: boolean;
  /** After signing, flip the last byte of the signature (clientDataJSON stays intact). */
  tamperSignature?: boolean;
  /** clientDataJSON.type instead of 'webauthn.get'. */
  type?: string;
  /** clientDataJSON.challenge verbatim instead of the options' challenge. */
  challenge?: string;
}

export interface HeldCredential {
  /** base64url credential id. */
  id: string;
  rpId: string;
  /** base64url user handle (options.user.id). */
  userHandle: string;
  /** The counter last put into authenticatorData. */
  signCount: number;
  alg: AuthenticatorAlg;
  /** COSE-encoded public key, as in the attested credential data. */
  publicKey: Uint8Array<ArrayBuffer>;
}

interface Credential {
  id: Buffer;
  rpId: string;
  userHandle: Buffer;
  signCount: number;
  alg: AuthenticatorAlg;
  privateKey: KeyObject;
  publicKeySpki: Buffer;
  cosePublicKey: Buffer;
}

const COSE_ALG: Record<AuthenticatorAlg, number> = { ES256: -7, Ed25519: -8 };

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

function domError(name: string, message: string): Error {
  // What a browser rejects navigator.credentials.create()/get() with (DOMException extends Error on Node 20).
  return new DOMException(message, name);
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const fromB64u = (text: string): Buffer => Buffer.from(text, 'base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function unwrap<T extends object>(options: T | { publicKey: T }): T {
  if (
    options &&
    typeof options === 'object' &&
    'publicKey' in options &&
    typeof options.publicKey === 'object'
  ) {
    return options.publicKey as T;
  }
  return options as T;
}

function parseAaguid(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`Not a uuid: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function makeKeyPair(alg: AuthenticatorAlg): { privateKey: KeyObject; publicKeySpki: Buffer; cose: Buffer } {
  if (alg === 'ES256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, CborValue>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, fromB64u(jwk.x!)],
      [-3, fromB64u(jwk.y!)],
    ]);
    return {
      privateKey,
      publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }),
      cose: encodeCbor(cose),
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = new Map<number, CborValue>([
    [1, 1], // kty: OKP
    [3, -8], // alg: EdDSA
    [-1, 6], // crv: Ed25519
    [-2, fromB64u(jwk.x!)],
  ]);
  return {
    privateKey,
    publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }),
    cose: encodeCbor(cose),
  };
}

function signWith(cred: Credential, data: Buffer): Buffer {
  // ES256: node gives a DER-encoded ECDSA signature, as WebAuthn wants. Ed25519: raw 64 bytes.
  return cred.alg === 'ES256' ? sign('sha256', data, cred.privateKey) : sign(null, data, cred.privateKey);
}

function hostnameOf(origin: string | undefined): string {
  if (!origin) throw new TypeError('No RP ID in the options and no origin to derive one from');
  return new URL(origin).hostname;
}

/** Flip one base64url character of the challenge in an already serialized clientDataJSON. */
function tamperChallenge(clientDataJSON: string, challenge: string): string {
  const first = challenge[0] ?? 'A';
  const flipped = (first === 'A' ? 'B' : 'A') + challenge.slice(1);
  const before = `"challenge":${JSON.stringify(challenge)}`;
  if (!clientDataJSON.includes(before)) throw new Error('challenge not found in clientDataJSON');
  return clientDataJSON.replace(before, `"challenge":${JSON.stringify(flipped)}`);
}

export class SoftwareAuthenticator {
  readonly #options: SoftwareAuthenticatorOptions;
  readonly #aaguid: Buffer;
  readonly #held: Credential[] = [];

  constructor(options: SoftwareAuthenticatorOptions = {}) {
    this.#options = { ...options };
    this.#aaguid = parseAaguid(options.aaguid ?? '00000000-0000-0000-0000-000000000000');
  }

  /** The credentials it holds (snapshots), oldest first. */
  get credentials(): ReadonlyArray<HeldCredential> {
    return this.#held.map((c) => ({
      id: b64u(c.id),
      rpId: c.rpId,
      userHandle: b64u(c.userHandle),
      signCount: c.signCount,
      alg: c.alg,
      publicKey: new Uint8Array(c.cosePublicKey),
    }));
  }

  /**
   * navigator.credentials.create(): answers PublicKeyCredentialCreationOptionsJSON with a
   * RegistrationResponseJSON. Makes a discoverable credential bound to the RP ID and user handle,
   * replacing one it already holds for the same RP ID and user handle (as CTAP2 does).
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON | { publicKey: PublicKeyCredentialCreationOptionsJSON },
    overrides: RegisterOverrides = {},
  ): RegistrationResponseJSON {
    const opts = unwrap(options);
    const rpId = opts.rp?.id ?? hostnameOf(overrides.origin ?? this.#options.origin);
    const origin = overrides.origin ?? this.#options.origin ?? `https://${rpId}`;
    if (typeof opts.challenge !== 'string') throw new TypeError('options.challenge missing');
    if (typeof opts.user?.id !== 'string') throw new TypeError('options.user.id missing');
    const userHandle = fromB64u(opts.user.id);

    // Pick the algorithm. An empty list means the WebAuthn default of ES256 and RS256.
    const offered = (
      opts.pubKeyCredParams?.length ? opts.pubKeyCredParams : [{ type: 'public-key', alg: -7 }]
    )
      .filter((p) => p.type === 'public-key')
      .map((p) => p.alg);
    let alg: AuthenticatorAlg | undefined;
    if (this.#options.alg) {
      if (offered.includes(COSE_ALG[this.#options.alg])) alg = this.#options.alg;
    } else {
      const first = offered.find((a) => a === -7 || a === -8);
      alg = first === -7 ? 'ES256' : first === -8 ? 'Ed25519' : undefined;
    }
    if (!alg) {
      const wanted = this.#options.alg ? COSE_ALG[this.#options.alg] : '-7 or -8';
      throw domError(
        'NotSupportedError',
        `pubKeyCredParams [${offered.join(', ')}] does not offer ${wanted}`,
      );
    }

    for (const excluded of opts.excludeCredentials ?? []) {
      const id = fromB64u(excluded.id);
      if (this.#held.some((c) => c.rpId === rpId && c.id.equals(id))) {
        throw domError('InvalidStateError', 'The authenticator already holds an excluded credential');
      }
    }

    const { privateKey, publicKeySpki, cose } = makeKeyPair(alg);
    const cred: Credential = {
      id: randomBytes(32),
      rpId,
      userHandle,
      signCount: this.#options.signCountStart ?? 0,
      alg,
      privateKey,
      publicKeySpki,
      cosePublicKey: cose,
    };

    const clientDataJSON = JSON.stringify({
      type: overrides.type ?? 'webauthn.create',
      challenge: overrides.challenge ?? b64u(fromB64u(opts.challenge)),
      origin,
      crossOrigin: false,
    });
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(cred.id.length);
    const authData = Buffer.concat([
      this.#authDataHead(
        overrides.rpId ?? rpId,
        FLAG_AT,
        this.#options.userVerification ?? true,
        cred.signCount,
      ),
      this.#aaguid,
      idLength,
      cred.id,
      cred.cosePublicKey,
    ]);

    let fmt: string;
    let attStmt: Map<string, CborValue>;
    if ((this.#options.attestation ?? 'none') === 'packed') {
      const sig = signWith(cred, Buffer.concat([authData, sha256(clientDataJSON)]));
      fmt = 'packed';
      attStmt = new Map<string, CborValue>([
        ['alg', COSE_ALG[alg]],
        ['sig', sig],
      ]);
    } else {
      fmt = 'none';
      attStmt = new Map();
    }
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', fmt],
        ['attStmt', attStmt],
        ['authData', authData],
      ]),
    );

    const sameAccount = this.#held.findIndex((c) => c.rpId === rpId && c.userHandle.equals(userHandle));
    if (sameAccount >= 0) this.#held.splice(sameAccount, 1);
    this.#held.push(cred);

    const id = b64u(cred.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(Buffer.from(clientDataJSON, 'utf8')),
        attestationObject: b64u(attestationObject),
        authenticatorData: b64u(authData),
        transports: ['internal'],
        publicKeyAlgorithm: COSE_ALG[alg],
        publicKey: b64u(cred.publicKeySpki),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): answers PublicKeyCredentialRequestOptionsJSON with an
   * AuthenticationResponseJSON. With an empty or absent allowCredentials it picks a discoverable
   * credential for the RP ID (the first, or `credentialId`); otherwise one of the allowed. Always
   * returns the userHandle. Increments the signature counter unless `signCount` is given.
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON | { publicKey: PublicKeyCredentialRequestOptionsJSON },
    overrides: AuthenticateOverrides = {},
  ): AuthenticationResponseJSON {
    const opts = unwrap(options);
    const rpId = opts.rpId ?? hostnameOf(overrides.origin ?? this.#options.origin);
    const origin = overrides.origin ?? this.#options.origin ?? `https://${rpId}`;
    if (typeof opts.challenge !== 'string') throw new TypeError('options.challenge missing');

    let candidates = this.#held.filter((c) => c.rpId === rpId);
    if (opts.allowCredentials?.length) {
      const allowed = opts.allowCredentials.map((d) => fromB64u(d.id));
      candidates = candidates.filter((c) => allowed.some((id) => id.equals(c.id)));
    }
    const cred = overrides.credentialId
      ? candidates.find((c) => c.id.equals(fromB64u(overrides.credentialId!)))
      : candidates[0];
    if (!cred) {
      const which = overrides.credentialId ? `credential ${overrides.credentialId}` : 'a credential';
      throw domError('NotAllowedError', `The authenticator holds no ${which} usable for RP ID ${rpId}`);
    }

    cred.signCount = overrides.signCount ?? cred.signCount + 1;
    const authData = this.#authDataHead(
      overrides.rpId ?? rpId,
      0,
      overrides.userVerified ?? this.#options.userVerification ?? true,
      cred.signCount,
    );
    const challenge = overrides.challenge ?? b64u(fromB64u(opts.challenge));
    let clientDataJSON = JSON.stringify({
      type: overrides.type ?? 'webauthn.get',
      challenge,
      origin,
      crossOrigin: false,
    });
    const signature = signWith(cred, Buffer.concat([authData, sha256(clientDataJSON)]));
    if (overrides.tamperClientData) clientDataJSON = tamperChallenge(clientDataJSON, challenge);
    if (overrides.tamperSignature) signature[signature.length - 1]! ^= 0x01;

    const id = b64u(cred.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(Buffer.from(clientDataJSON, 'utf8')),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: b64u(cred.userHandle),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** rpIdHash ‖ flags ‖ signCount: the fixed 37 bytes every authenticatorData starts with. */
  #authDataHead(rpId: string, extraFlags: number, userVerified: boolean, signCount: number): Buffer {
    let flags = FLAG_UP | extraFlags;
    if (userVerified) flags |= FLAG_UV;
    if (this.#options.backupEligible) flags |= FLAG_BE;
    if (this.#options.backupState) flags |= FLAG_BS;
    const head = Buffer.alloc(37);
    sha256(rpId).copy(head, 0);
    head[32] = flags;
    head.writeUInt32BE(signCount, 33);
    return head;
  }
}
