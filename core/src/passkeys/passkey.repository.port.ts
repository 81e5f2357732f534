import type { PasskeyCredential, WebauthnChallenge } from './passkey.js';

export interface PasskeyCredentialRepository {
  /** Throws UniqueViolationError('id') when the credential id is already registered. */
  insert(credential: Omit<PasskeyCredential, 'createdAt' | 'lastUsedAt'>): Promise<PasskeyCredential>;
  findByCredentialId(credentialId: string): Promise<PasskeyCredential | null>;
  /** Oldest first. */
  listByUser(userId: string): Promise<PasskeyCredential[]>;
  findForUser(id: string, userId: string): Promise<PasskeyCredential | null>;
  rename(id: string, userId: string, name: string): Promise<PasskeyCredential | null>;
  /** Returns whether a credential was deleted. */
  delete(id: string, userId: string): Promise<boolean>;
  /**
   * Records a successful assertion. Applies only while the stored counter is still `expectedSignCount`
   * (compare-and-set), so two concurrent assertions cannot both move the counter; returns whether it did.
   */
  recordUse(
    id: string,
    update: { expectedSignCount: number; signCount: number; backupState: boolean; lastUsedAt: Date },
  ): Promise<boolean>;
}

export interface WebauthnChallengeRepository {
  insert(challenge: WebauthnChallenge): Promise<void>;
  /**
   * Deletes and returns the challenge if it exists and has not expired at `now`, atomically: of two
   * concurrent calls with the same id, at most one gets it (single use across instances).
   */
  consume(id: string, now: Date): Promise<WebauthnChallenge | null>;
  deleteExpired(now: Date): Promise<number>;
}
