import type { ClaimsRequest } from '../claims/claims-request.js';

/**
 * One grant's chain of rotated refresh tokens (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): each refresh
 * uses up its token and adds the next one to the family; presenting a used token again revokes the
 * whole family, and with it the access tokens issued from it.
 */
export interface RefreshTokenFamily {
  id: string;
  clientId: string;
  userId: string;
  sessionId: string | null;
  /** The granted scopes, space-separated: a refresh may narrow them, never widen them (RFC 6749 §6). */
  scope: string;
  authTime: Date;
  amr: string[];
  /**
   * The grant's `claims` request (OIDC Core §5.5): every ID token of the family carries its `id_token`
   * claims, and userinfo answers its `userinfo` claims for every access token of the family.
   */
  claims: ClaimsRequest | null;
  createdAt: Date;
  /** At least the expiry of its newest token: nothing in the family outlives it. */
  expiresAt: Date;
  revokedAt: Date | null;
  /**
   * When the browser session it was granted in ended: the access tokens it issued until then are
   * revoked, though an `offline_access` family itself lives on.
   */
  accessRevokedAt: Date | null;
}

/** A refresh token as stored: only the SHA-256 of the opaque value is kept. */
export interface RefreshToken {
  tokenHash: string;
  familyId: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when it was rotated: a second use is a replay. */
  usedAt: Date | null;
}

export type NewRefreshTokenFamily = Omit<RefreshTokenFamily, 'revokedAt' | 'accessRevokedAt' | 'claims'> & {
  claims?: ClaimsRequest | null;
};
export type NewRefreshToken = Omit<RefreshToken, 'usedAt'>;

export interface RefreshTokenRepository {
  /** Starts a family with its first token. */
  createFamily(family: NewRefreshTokenFamily, first: Omit<NewRefreshToken, 'familyId'>): Promise<void>;
  /**
   * Adds a rotated token to its family and extends the family's expiry to `familyExpiresAt` (default:
   * the token's) when that is later; `null` leaves the family's row alone (its expiry already covers
   * the token).
   */
  addToken(token: NewRefreshToken, familyExpiresAt?: Date | null): Promise<void>;
  find(tokenHash: string): Promise<{ token: RefreshToken; family: RefreshTokenFamily } | null>;
  /** A family by id (the access tokens it issued name it), or null when it is gone. */
  findFamily(familyId: string): Promise<RefreshTokenFamily | null>;
  /**
   * Uses the token up, atomically: of concurrent callers on any instance exactly one gets true, and
   * only while the token is unused, unexpired at `now`, and its family not revoked.
   */
  markUsed(tokenHash: string, now: Date): Promise<boolean>;
  /** Revokes the family: its refresh tokens and every access token issued from it stop working. */
  revokeFamily(familyId: string, now: Date): Promise<void>;
  /**
   * Revokes every family and access token the user holds for the client (the user revoked the app);
   * returns how many families and access tokens this call revoked.
   */
  revokeGrants(userId: string, clientId: string, now: Date): Promise<number>;
  /** Deletes tokens and families that expired at or before `before`. */
  /**
   * A browser session ended: revokes the access tokens issued in it (`accessRevokedAt` of its families,
   * and the recorded ones) and its refresh-token families, except those granted `offline_access`
   * (OIDC Core §11: they outlive the person's sign-in). Returns how many families and recorded access
   * tokens it revoked.
   */
  revokeSession(sessionId: string, now: Date): Promise<number>;
  deleteExpired(before: Date): Promise<number>;
}
