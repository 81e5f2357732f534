/**
 * Audit log entries keep Pocket ID's event names (CONVENTIONS: naming), because its API returns them
 * (pocket-id-api.md §7). `PASSKEY_SIGN_COUNT_REGRESSED` is ours: Pocket ID does not record refused
 * assertions whose signature counter went backwards.
 */
export type AuditEvent =
  | 'SIGN_IN'
  | 'TOKEN_SIGN_IN'
  | 'REMOTE_SIGN_IN'
  | 'ACCOUNT_CREATED'
  | 'NEW_CLIENT_AUTHORIZATION'
  | 'CLIENT_AUTHORIZATION'
  | 'NEW_DEVICE_CODE_AUTHORIZATION'
  | 'DEVICE_CODE_AUTHORIZATION'
  | 'PASSKEY_ADDED'
  | 'PASSKEY_REMOVED'
  | 'PASSKEY_SIGN_COUNT_REGRESSED';

/** Pocket ID's country for private, loopback and LAN addresses (pocket-id-api.md §4.8). */
export const INTERNAL_NETWORK = 'Internal Network';

export interface AuditLogEntry {
  id: string;
  event: string;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  /** String values only, as Pocket ID's `data` column. */
  data: Record<string, string>;
  /** Null once the user is deleted: the trail outlives the account. */
  userId: string | null;
  createdAt: Date;
}

/** `createdAt` defaults to now; imports and tests may set it. */
export type NewAuditLogEntry = Omit<AuditLogEntry, 'createdAt'> & { createdAt?: Date };
