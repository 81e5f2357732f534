import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { WebAuthnCredential } from '@simplewebauthn/server';
import { SoftwareAuthenticator } from './authenticator.js';
import type { AuthenticatorAlg, SoftwareAuthenticatorOptions } from './authenticator.js';
import { encodeCbor } from './cbor.js';
import type { CborValue } from './cbor.js';

const rpID = 'localhost';
const origin = 'http://localhost:1411';
const userID = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

function registrationOptions(
  attestation: 'none' | 'packed',
  extra: { excludeCredentials?: { id: string }[] } = {},
) {
  return generateRegistrationOptions({
    rpName: 'Latchkey',
    rpID,
    userName: 'tim',
    userID,
    attestationType: attestation === 'packed' ? 'direct' : 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    ...extra,
  });
}

/** Register through @simplewebauthn/server; returns the credential as a server would store it. */
async function registered(
  options: SoftwareAuthenticatorOptions = {},
): Promise<{ device: SoftwareAuthenticator; credential: WebAuthnCredential }> {
  const device = new SoftwareAuthenticator(options);
  const regOptions = await registrationOptions(options.attestation ?? 'none');
  const result = await verifyRegistrationResponse({
    response: device.register(regOptions, { origin }),
    expectedChallenge: regOptions.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
  });
  expect(result.verified).toBe(true);
  return { device, credential: result.registrationInfo!.credential };
}

async function verifyAssertion(
  device: SoftwareAuthenticator,
  credential: WebAuthnCredential,
  overrides: Parameters<SoftwareAuthenticator['authenticate']>[1] = {},
) {
  const authOptions = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
  return verifyAuthenticationResponse({
    response: device.authenticate(authOptions, { origin, ...overrides }),
    expectedChallenge: authOptions.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
    requireUserVerification: true,
  });
}

describe('SoftwareAuthenticator against @simplewebauthn/server', () => {
  const combos: [AuthenticatorAlg, 'none' | 'packed', number][] = [
    ['ES256', 'none', -7],
    ['ES256', 'packed', -7],
    ['Ed25519', 'none', -8],
    ['Ed25519', 'packed', -8],
  ];

  for (const [alg, attestation, coseAlg] of combos) {
    it(`registers and signs in with ${alg} / ${attestation} attestation`, async () => {
      const device = new SoftwareAuthenticator({ alg, attestation });
      const regOptions = await registrationOptions(attestation);
      const response = device.register(regOptions, { origin });

      expect(response.id).toBe(response.rawId);
      expect(response.response.publicKeyAlgorithm).toBe(coseAlg);
      expect(response.response.transports).toEqual(['internal']);
      expect(response.authenticatorAttachment).toBe('platform');
      const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString());
      expect(clientData).toEqual({
        type: 'webauthn.create',
        challenge: regOptions.challenge,
        origin,
        crossOrigin: false,
      });

      const reg = await verifyRegistrationResponse({
        response,
        expectedChallenge: regOptions.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
      });
      expect(reg.verified).toBe(true);
      const info = reg.registrationInfo!;
      expect(info.fmt).toBe(attestation);
      expect(info.credential.id).toBe(response.id);
      expect(info.credential.counter).toBe(0);
      expect(info.userVerified).toBe(true);
      expect(info.credentialDeviceType).toBe('singleDevice');
      expect(info.credentialBackedUp).toBe(false);
      expect(info.aaguid).toBe('00000000-0000-0000-0000-000000000000');
      expect(info.origin).toBe(origin);
      expect(info.rpID).toBe(rpID);

      expect(device.credentials).toHaveLength(1);
      const held = device.credentials[0]!;
      expect(held).toMatchObject({
        id: response.id,
        rpId: rpID,
        userHandle: regOptions.user.id,
        signCount: 0,
        alg,
      });
      expect(Buffer.from(held.publicKey).equals(Buffer.from(info.credential.publicKey))).toBe(true);

      const credential: WebAuthnCredential = { ...info.credential };
      for (const expected of [1, 2]) {
        const authOptions = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
        expect(authOptions.allowCredentials ?? []).toEqual([]);
        const assertion = device.authenticate(authOptions, { origin });
        expect(assertion.id).toBe(response.id);
        expect(assertion.response.userHandle).toBe(regOptions.user.id);
        const auth = await verifyAuthenticationResponse({
          response: assertion,
          expectedChallenge: authOptions.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential,
          requireUserVerification: true,
        });
        expect(auth.verified).toBe(true);
        expect(auth.authenticationInfo.newCounter).toBe(expected);
        expect(auth.authenticationInfo.userVerified).toBe(true);
        credential.counter = auth.authenticationInfo.newCounter;
      }
      expect(device.credentials[0]!.signCount).toBe(2);
    });
  }

  it('answers options wrapped in { publicKey } and defaults the origin to https://<rp id>', async () => {
    const device = new SoftwareAuthenticator();
    const regOptions = await registrationOptions('none');
    const response = device.register({ publicKey: regOptions });
    const reg = await verifyRegistrationResponse({
      response,
      expectedChallenge: regOptions.challenge,
      expectedOrigin: 'https://localhost',
      expectedRPID: rpID,
    });
    expect(reg.verified).toBe(true);
    // The server's default list is [-8, -7, -257]: with no alg configured, the first it supports.
    expect(response.response.publicKeyAlgorithm).toBe(-8);
  });

  it('sets the backup flags and AAGUID it is given', async () => {
    const aaguid = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';
    const device = new SoftwareAuthenticator({ backupEligible: true, backupState: true, aaguid });
    const regOptions = await registrationOptions('none');
    const reg = await verifyRegistrationResponse({
      response: device.register(regOptions, { origin }),
      expectedChallenge: regOptions.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
    });
    expect(reg.registrationInfo).toMatchObject({
      aaguid,
      credentialDeviceType: 'multiDevice',
      credentialBackedUp: true,
    });
  });

  it('picks the credential named by credentialId among several discoverable ones', async () => {
    const device = new SoftwareAuthenticator({ alg: 'ES256' });
    const first = device.register(await registrationOptions('none'), { origin });
    const other = await generateRegistrationOptions({ rpName: 'x', rpID, userName: 'ann' });
    const second = device.register(other, { origin });
    expect(device.credentials.map((c) => c.id)).toEqual([first.id, second.id]);

    const authOptions = await generateAuthenticationOptions({ rpID });
    expect(device.authenticate(authOptions).id).toBe(first.id);
    const picked = device.authenticate(authOptions, { credentialId: second.id });
    expect(picked.id).toBe(second.id);
    expect(picked.response.userHandle).toBe(other.user.id);
    // Honours allowCredentials too.
    const allowed = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: second.id }] });
    expect(device.authenticate(allowed).id).toBe(second.id);
  });

  it('replaces its credential when the same user registers again at the same RP', async () => {
    const device = new SoftwareAuthenticator();
    device.register(await registrationOptions('none'));
    const again = device.register(await registrationOptions('none'));
    expect(device.credentials.map((c) => c.id)).toEqual([again.id]);
  });

  it('starts the counter at signCountStart', async () => {
    const { device, credential } = await registered({ signCountStart: 41 });
    expect(credential.counter).toBe(41);
    const auth = await verifyAssertion(device, credential);
    expect(auth.authenticationInfo.newCounter).toBe(42);
  });

  it('encodes CBOR maps canonically', () => {
    const cose = encodeCbor(
      new Map<number, number>([
        [-1, 1],
        [3, -7],
        [1, 2],
      ]),
    );
    expect(cose.toString('hex')).toBe('a3010203262001');
    expect(
      encodeCbor(
        new Map<string, CborValue>([
          ['authData', 1],
          ['fmt', 'x'],
          ['attStmt', new Map()],
        ]),
      ).toString('hex'),
    ).toBe('a3' + '63666d74' + '6178' + '6761747453746d74' + 'a0' + '68617574684461746101');
    expect(encodeCbor(new Uint8Array(300)).subarray(0, 3).toString('hex')).toBe('59012c');
  });
});

describe('negative cases', () => {
  it('a wrong origin fails verification', async () => {
    const { device, credential } = await registered();
    await expect(verifyAssertion(device, credential, { origin: 'https://evil.example' })).rejects.toThrow(
      /Unexpected authentication response origin "https:\/\/evil.example"/,
    );
  });

  it('a wrong origin at registration fails verification', async () => {
    const device = new SoftwareAuthenticator();
    const regOptions = await registrationOptions('none');
    await expect(
      verifyRegistrationResponse({
        response: device.register(regOptions, { origin: 'https://evil.example' }),
        expectedChallenge: regOptions.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
      }),
    ).rejects.toThrow(/Unexpected registration response origin/);
  });

  it('tamperClientData breaks the challenge after signing', async () => {
    const { device, credential } = await registered();
    // @simplewebauthn compares the challenge before it checks the signature.
    await expect(verifyAssertion(device, credential, { tamperClientData: true })).rejects.toThrow(
      /Unexpected authentication response challenge/,
    );
    // Even if the server accepted any challenge, the signature would no longer match.
    const authOptions = await generateAuthenticationOptions({ rpID });
    const result = await verifyAuthenticationResponse({
      response: device.authenticate(authOptions, { origin, tamperClientData: true }),
      expectedChallenge: () => true,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { ...credential, counter: 0 },
    });
    expect(result.verified).toBe(false);
  });

  for (const alg of ['ES256', 'Ed25519'] as const) {
    it(`tamperSignature makes verification return verified: false (${alg})`, async () => {
      const { device, credential } = await registered({ alg });
      const result = await verifyAssertion(device, credential, { tamperSignature: true });
      expect(result.verified).toBe(false);
    });
  }

  it('userVerified: false fails when user verification is required', async () => {
    const { device, credential } = await registered();
    await expect(verifyAssertion(device, credential, { userVerified: false })).rejects.toThrow(
      'User verification required, but user could not be verified',
    );
  });

  it('a device without user verification fails registration when it is required', async () => {
    const device = new SoftwareAuthenticator({ userVerification: false });
    const regOptions = await registrationOptions('none');
    await expect(
      verifyRegistrationResponse({
        response: device.register(regOptions, { origin }),
        expectedChallenge: regOptions.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
      }),
    ).rejects.toThrow('User verification was required, but user could not be verified');
  });

  it('a wrong RP ID hash fails verification', async () => {
    const { device, credential } = await registered();
    await expect(verifyAssertion(device, credential, { rpId: 'evil.example' })).rejects.toThrow(
      /Unexpected RP ID hash/,
    );
  });

  it('a wrong clientData type or challenge fails verification', async () => {
    const { device, credential } = await registered();
    await expect(verifyAssertion(device, credential, { type: 'webauthn.create' })).rejects.toThrow(
      /Unexpected authentication response type/,
    );
    await expect(verifyAssertion(device, credential, { challenge: 'AAAA' })).rejects.toThrow(
      /Unexpected authentication response challenge "AAAA"/,
    );
  });

  it('excludeCredentials holding one of its credentials throws InvalidStateError', async () => {
    const { device, credential } = await registered();
    const regOptions = await registrationOptions('none', { excludeCredentials: [{ id: credential.id }] });
    expect(() => device.register(regOptions, { origin })).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    expect(device.credentials).toHaveLength(1);
    // Someone else's credential in the list is no obstacle.
    const foreign = await registrationOptions('none', {
      excludeCredentials: [{ id: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    });
    expect(() => device.register(foreign, { origin })).not.toThrow();
  });

  it('throws NotSupportedError when neither -7 nor -8 is offered, or not the configured alg', async () => {
    const rsaOnly = await generateRegistrationOptions({
      rpName: 'x',
      rpID,
      userName: 'u',
      supportedAlgorithmIDs: [-257],
    });
    expect(() => new SoftwareAuthenticator().register(rsaOnly)).toThrow(
      expect.objectContaining({ name: 'NotSupportedError' }),
    );
    const es256Only = await generateRegistrationOptions({
      rpName: 'x',
      rpID,
      userName: 'u',
      supportedAlgorithmIDs: [-7],
    });
    expect(() => new SoftwareAuthenticator({ alg: 'Ed25519' }).register(es256Only)).toThrow(
      expect.objectContaining({ name: 'NotSupportedError' }),
    );
    expect(new SoftwareAuthenticator().register(es256Only).response.publicKeyAlgorithm).toBe(-7);
  });

  it('throws NotAllowedError when it holds no usable credential', async () => {
    const { device } = await registered();
    const elsewhere = await generateAuthenticationOptions({ rpID: 'example.com' });
    expect(() => device.authenticate(elsewhere)).toThrow(
      expect.objectContaining({ name: 'NotAllowedError' }),
    );
    const notAllowed = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: 'AAAA' }] });
    expect(() => device.authenticate(notAllowed)).toThrow(
      expect.objectContaining({ name: 'NotAllowedError' }),
    );
  });

  it('a counter that does not increase is rejected by throwing, not by verified: false', async () => {
    const { device, credential } = await registered();
    const first = await verifyAssertion(device, credential);
    expect(first.authenticationInfo.newCounter).toBe(1);
    const stored = { ...credential, counter: 5 };
    // Lower than stored: throws.
    await expect(verifyAssertion(device, stored, { signCount: 3 })).rejects.toThrow(
      'Response counter value 3 was lower than expected 5',
    );
    // Equal to stored: throws too (the message still says "lower").
    await expect(verifyAssertion(device, stored, { signCount: 5 })).rejects.toThrow(
      'Response counter value 5 was lower than expected 5',
    );
    // Zero when the stored counter is > 0: throws.
    await expect(verifyAssertion(device, stored, { signCount: 0 })).rejects.toThrow(
      'Response counter value 0 was lower than expected 5',
    );
    // Zero against a stored zero (authenticators without a counter, e.g. Apple passkeys): accepted.
    const zero = await verifyAssertion(device, { ...credential, counter: 0 }, { signCount: 0 });
    expect(zero.verified).toBe(true);
    expect(zero.authenticationInfo.newCounter).toBe(0);
    // The override is remembered; the next assertion counts on from it.
    expect(device.credentials[0]!.signCount).toBe(0);
    expect((await verifyAssertion(device, { ...credential, counter: 0 })).authenticationInfo.newCounter).toBe(
      1,
    );
  });
});

describe('wire format', () => {
  it('lays out authenticatorData as rpIdHash ‖ flags ‖ counter (‖ attested credential data)', async () => {
    const device = new SoftwareAuthenticator({ alg: 'ES256', backupEligible: true });
    const regOptions = await registrationOptions('none');
    const reg = device.register(regOptions, { origin });
    const authData = Buffer.from(reg.response.authenticatorData!, 'base64url');
    const rpIdHash = createHash('sha256').update(rpID).digest();
    expect(authData.subarray(0, 32).equals(rpIdHash)).toBe(true);
    expect(authData[32]).toBe(0x01 | 0x04 | 0x08 | 0x40);
    expect(authData.readUInt32BE(33)).toBe(0);
    expect(authData.subarray(37, 53).equals(Buffer.alloc(16))).toBe(true);
    const idLength = authData.readUInt16BE(53);
    expect(authData.subarray(55, 55 + idLength).toString('base64url')).toBe(reg.id);
    // COSE EC2 key: {1: 2, 3: -7, -1: 1, -2: x(32), -3: y(32)}
    const cose = authData.subarray(55 + idLength);
    expect(cose.subarray(0, 7).toString('hex')).toBe('a5010203262001');
    expect(cose.length).toBe(7 + 2 * (3 + 32));

    const assertion = device.authenticate(await generateAuthenticationOptions({ rpID }), {
      origin,
      userVerified: false,
    });
    const assertData = Buffer.from(assertion.response.authenticatorData, 'base64url');
    expect(assertData).toHaveLength(37);
    expect(assertData[32]).toBe(0x01 | 0x08);
    expect(assertData.readUInt32BE(33)).toBe(1);
  });
});
