import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AppSettingsProvider } from '../app-config/app-settings.js';
import { ProblemError } from '../errors/problem.errors.js';
import type { User } from '../users/user.js';
import { UniqueViolationError, type UserRepository } from '../users/user.repository.port.js';
import type { ChallengePurpose, PasskeyCredential, WebauthnChallenge } from './passkey.js';
import type { PasskeyCredentialRepository, WebauthnChallengeRepository } from './passkey.repository.port.js';
import { AssertionSignatureError, AssertionVerifier } from './assertion-verifier.js';

/** Pocket ID's WebAuthn timeout; the challenge cookie lives as long. */
export const WEBAUTHN_TIMEOUT_MS = 60_000;

const bad = (code: string, detail: string, status = 400) => new ProblemError({ status, code, detail });

/** A refused assertion whose counter did not increase; carries the credential so the route can audit it. */
export class SignCountRegressionError extends ProblemError {
  constructor(readonly credential: PasskeyCredential) {
    super({
      status: 401,
      code: 'webauthn_authentication_failed',
      detail: 'The passkey signature counter did not increase: the passkey may be cloned',
    });
  }
}

/**
 * Passkey registration and discoverable sign-in (@simplewebauthn/server). RP ID and origin come from
 * APP_URL. Each ceremony's challenge lives in the database, bound to a single-use id that travels in
 * Pocket ID's challenge cookie, so any instance can finish what another started, exactly once.
 */
export class WebauthnService {
  readonly rpId: string;
  readonly origin: string;
  private readonly assertions: AssertionVerifier;

  constructor(
    private readonly deps: {
      appUrl: string;
      credentials: PasskeyCredentialRepository;
      challenges: WebauthnChallengeRepository;
      users: UserRepository;
      settings: AppSettingsProvider;
      now?: () => Date;
    },
  ) {
    const url = new URL(deps.appUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
    this.assertions = new AssertionVerifier({ id: this.rpId, origin: this.origin });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async storeChallenge(challenge: string, purpose: ChallengePurpose, userId: string | null) {
    const { webauthnUserVerification } = await this.deps.settings.get();
    const now = this.now();
    const record: WebauthnChallenge = {
      id: randomUUID(),
      challenge,
      userId,
      purpose,
      userVerification: webauthnUserVerification,
      createdAt: now,
      expiresAt: new Date(now.getTime() + WEBAUTHN_TIMEOUT_MS),
    };
    await this.deps.challenges.insert(record);
    return record;
  }

  /** Takes the ceremony's challenge out of storage: it can never be used again, whatever happens next. */
  private async takeChallenge(id: string | undefined, purpose: ChallengePurpose): Promise<WebauthnChallenge> {
    if (!id) throw bad('missing_session_id', 'The WebAuthn session cookie is missing; start again');
    const challenge = await this.deps.challenges.consume(id, this.now());
    if (!challenge || challenge.purpose !== purpose) {
      throw bad('invalid_webauthn_session', 'The WebAuthn session is unknown, used or expired; start again');
    }
    return challenge;
  }

  async startRegistration(user: User) {
    const settings = await this.deps.settings.get();
    const existing = await this.deps.credentials.listByUser(user.id);
    const options = await generateRegistrationOptions({
      rpName: settings.appName,
      rpID: this.rpId,
      userName: user.username,
      userID: new TextEncoder().encode(user.id),
      userDisplayName: user.displayName || user.username,
      timeout: WEBAUTHN_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({
        id: c.credentialId,
        transports: c.transports as AuthenticatorTransport[],
      })),
      authenticatorSelection: {
        residentKey: 'required',
        userVerification: settings.webauthnUserVerification,
      },
      extensions: { credProps: true } as never,
    });
    const challenge = await this.storeChallenge(options.challenge, 'registration', user.id);
    return { options, challengeId: challenge.id };
  }

  async finishRegistration(
    user: User,
    challengeId: string | undefined,
    body: unknown,
  ): Promise<PasskeyCredential> {
    const challenge = await this.takeChallenge(challengeId, 'registration');
    if (challenge.userId !== user.id)
      throw bad('invalid_webauthn_session', 'The WebAuthn session belongs to another user');
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response: body as RegistrationResponseJSON,
        expectedChallenge: challenge.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: challenge.userVerification === 'required',
      });
    } catch (error) {
      throw this.verificationProblem(error);
    }
    if (!verification.verified || !verification.registrationInfo) {
      throw bad('invalid_webauthn_response', 'The passkey could not be verified');
    }
    const info = verification.registrationInfo;
    const response = body as RegistrationResponseJSON;
    try {
      return await this.deps.credentials.insert({
        id: randomUUID(),
        userId: user.id,
        name: 'New Passkey',
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        signCount: info.credential.counter,
        aaguid: info.aaguid ?? null,
        transports: response.response.transports ?? [],
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backupState: info.credentialBackedUp,
        attestationType: info.fmt ?? null,
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) {
        throw bad('passkey_already_registered', 'This passkey is already registered', 409);
      }
      throw error;
    }
  }

  async startLogin() {
    const { webauthnUserVerification } = await this.deps.settings.get();
    const options = await generateAuthenticationOptions({
      rpID: this.rpId,
      timeout: WEBAUTHN_TIMEOUT_MS,
      userVerification: webauthnUserVerification,
    });
    const challenge = await this.storeChallenge(options.challenge, 'authentication', null);
    return { options, challengeId: challenge.id };
  }

  /** Verifies a discoverable assertion and returns its user; counters that go backwards are refused. */
  async finishLogin(
    challengeId: string | undefined,
    body: unknown,
  ): Promise<{ user: User; credential: PasskeyCredential }> {
    const challenge = await this.takeChallenge(challengeId, 'authentication');
    const response = body as AuthenticationResponseJSON;
    if (!response || typeof response !== 'object' || typeof response.id !== 'string' || !response.response) {
      throw bad('invalid_webauthn_response', 'The body is not a WebAuthn assertion');
    }
    const failed = () => bad('webauthn_authentication_failed', 'The passkey could not be verified', 401);
    const credential = await this.deps.credentials.findByCredentialId(response.id);
    if (!credential) throw failed();
    if (response.response.userHandle) {
      const handle = Buffer.from(response.response.userHandle, 'base64url').toString('utf8');
      if (handle !== credential.userId) throw failed();
    }
    let info;
    try {
      info = await this.assertions.verify(response, {
        challenge: challenge.challenge,
        requireUserVerification: challenge.userVerification === 'required',
        credential: {
          id: credential.credentialId,
          publicKey: credential.publicKey,
          counter: credential.signCount,
          transports: credential.transports,
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (/counter value/i.test(message)) throw new SignCountRegressionError(credential);
      if (error instanceof AssertionSignatureError) throw failed();
      throw this.verificationProblem(error);
    }
    const moved = await this.deps.credentials.recordUse(credential.id, {
      expectedSignCount: credential.signCount,
      signCount: info.newCounter,
      backupState: info.credentialBackedUp,
      lastUsedAt: this.now(),
    });
    // Another sign-in with the same counter won the race: this assertion is a replay.
    if (!moved) throw failed();
    const user = await this.deps.users.findById(credential.userId);
    if (!user) throw failed();
    if (user.disabled) throw bad('user_disabled', 'Your account is disabled', 403);
    return { user, credential: { ...credential, signCount: info.newCounter, lastUsedAt: this.now() } };
  }

  private verificationProblem(error: unknown): ProblemError {
    const message = error instanceof Error ? error.message : String(error);
    if (/user verification/i.test(message) || /user could not be verified/i.test(message)) {
      return bad(
        'passkey_user_verification_required',
        'The passkey did not verify the user (PIN or biometrics)',
      );
    }
    return bad('invalid_webauthn_response', `The WebAuthn response is invalid: ${message}`);
  }
}
