/** An invitation to sign up: usable `usageLimit` times until `expiresAt`. Only the token's SHA-256 is kept. */
export interface SignupToken {
  id: string;
  tokenHash: string;
  expiresAt: Date;
  usageLimit: number;
  usageCount: number;
  /** The groups a user who signs up with the token joins (those that still exist). */
  userGroupIds: string[];
  createdAt: Date;
}

export type NewSignupToken = Omit<SignupToken, 'usageCount' | 'createdAt'>;
