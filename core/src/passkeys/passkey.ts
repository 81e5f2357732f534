/** A registered WebAuthn credential. */
export interface PasskeyCredential {
  id: string;
  userId: string;
  name: string;
  /** The credential id, base64url, as the browser sends it. */
  credentialId: string;
  /** COSE-encoded public key. */
  publicKey: Uint8Array;
  signCount: number;
  aaguid: string | null;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  attestationType: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type ChallengePurpose = 'registration' | 'authentication' | 'reauthentication';

/** A pending WebAuthn ceremony: single use, bound to the id in the challenge cookie. */
export interface WebauthnChallenge {
  id: string;
  challenge: string;
  /** Null for a discoverable (username-less) sign-in. */
  userId: string | null;
  purpose: ChallengePurpose;
  userVerification: 'required' | 'preferred' | 'discouraged';
  createdAt: Date;
  expiresAt: Date;
}
