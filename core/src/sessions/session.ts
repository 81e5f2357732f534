/** A browser sign-in. The cookie carries a random token; only its SHA-256 (hex) is stored. */
export interface Session {
  id: string;
  userId: string;
  tokenHash: string;
  /** RFC 8176 methods: `phr` for a passkey, `otp` for a login code. */
  amr: string[];
  authTime: Date;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  revokedAt: Date | null;
}
