import type { ClaimsRequest } from '../claims/claims-request.js';

/**
 * An authorization code as stored (RFC 6749 §4.1.2): only the SHA-256 of the code is kept; single use,
 * 15 minutes (fosite's default, as Pocket ID).
 */
export interface AuthorizationCode {
  codeHash: string;
  clientId: string;
  userId: string;
  sessionId: string | null;
  redirectUri: string;
  /** Space-separated granted scopes. */
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  authTime: Date;
  amr: string[];
  /** The `claims` request parameter (OIDC Core §5.5), validated; carried on to the refresh family. */
  claims: ClaimsRequest | null;
  createdAt: Date;
  expiresAt: Date;
  redeemedAt: Date | null;
  /** The refresh-token family the redemption started, so a second redemption can revoke it. */
  familyId: string | null;
}

export interface AuthorizationCodeRepository {
  insert(code: Omit<AuthorizationCode, 'redeemedAt' | 'familyId'>): Promise<void>;
  /**
   * Marks the code redeemed and returns it, atomically: of concurrent redemptions exactly one gets
   * `{ code, first: true }`; later ones get `{ code, first: false }` (so the caller can revoke what the
   * first issued); unknown or expired codes give null.
   */
  redeem(codeHash: string, now: Date): Promise<{ code: AuthorizationCode; first: boolean } | null>;
  /** Remembers which refresh-token family the first redemption created. */
  setFamily(codeHash: string, familyId: string): Promise<void>;
  deleteExpired(before: Date): Promise<number>;
}

/** A person's remembered consent for a client (Pocket ID merges scopes across requests). */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface ConsentRepository {
  find(userId: string, clientId: string): Promise<Consent | null>;
  /** Inserts or merges `scopes` into the stored set, and stamps `lastUsedAt`. */
  grant(userId: string, clientId: string, scopes: string[], now: Date): Promise<Consent>;
  revoke(userId: string, clientId: string): Promise<boolean>;
}

/** An authorization request waiting for the person (Pocket ID's interaction session, 1 hour). */
export interface Interaction {
  id: string;
  clientId: string;
  userId: string | null;
  sessionId: string | null;
  /** The authorization request's parameters, as received (wire names). */
  parameters: Record<string, string>;
  scopes: string[];
  /** `authenticate`, `select_account`, `reauthenticate`, `consent`, in that order. */
  requiredSteps: string[];
  completedSteps: string[];
  reauthenticatedAt: Date | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface InteractionRepository {
  insert(interaction: Interaction): Promise<void>;
  /** Null when unknown or expired at `now`. */
  find(id: string, now: Date): Promise<Interaction | null>;
  update(
    id: string,
    patch: Partial<
      Pick<Interaction, 'userId' | 'sessionId' | 'requiredSteps' | 'completedSteps' | 'reauthenticatedAt'>
    >,
  ): Promise<void>;
  /** True when this call removed it: of concurrent deletions exactly one wins (single-use completion). */
  delete(id: string): Promise<boolean>;
  deleteExpired(now: Date): Promise<number>;
}
