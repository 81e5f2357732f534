import type { ClaimsRequest } from '../claims/claims-request.js';

/**
 * The record of an issued RFC 9068 access token. The token is a self-contained JWT; its record is what
 * lets userinfo, introspection (RFC 7662) and revocation (RFC 7009) refuse it before it expires. A
 * token a client got for itself is recorded only once revoked (token-lookup.ts).
 */
export interface AccessTokenRecord {
  /** The JWT's `jti`. */
  jti: string;
  clientId: string;
  /** Null when the client acted for itself (`client_credentials`). */
  userId: string | null;
  /** The refresh-token family (the grant) it was issued from: revoking the family revokes it too. */
  familyId: string | null;
  sessionId: string | null;
  /** Space-separated. */
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  /** When the token itself, or the family it came from, was revoked. */
  revokedAt: Date | null;
  /** The `claims` request of the grant (its family's): what userinfo adds to the scope claims. */
  claims: ClaimsRequest | null;
}

export type NewAccessTokenRecord = Omit<AccessTokenRecord, 'revokedAt' | 'claims'>;

export interface AccessTokenRepository {
  insert(record: NewAccessTokenRecord): Promise<void>;
  /** The record, with its family's revocation folded into `revokedAt` and its `claims`; null when unknown. */
  find(jti: string): Promise<AccessTokenRecord | null>;
  /**
   * Revokes one token: marks its record, or records it as revoked when it has none (a
   * `client_credentials` token, token-lookup.ts); false when it was already revoked.
   */
  revoke(token: NewAccessTokenRecord, now: Date): Promise<boolean>;
  /** Deletes the records with `expiresAt <= before` (their JWTs no longer verify anyway). */
  deleteExpired(before: Date): Promise<number>;
}
