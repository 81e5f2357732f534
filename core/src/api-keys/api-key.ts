/** A personal API key (pocket-id-api.md §4.7). Only the SHA-256 hex of the secret is kept. */
export interface ApiKey {
  id: string;
  name: string;
  description: string | null;
  keyHash: string;
  userId: string;
  expiresAt: Date;
  lastUsedAt: Date | null;
  expirationEmailSent: boolean;
  createdAt: Date;
}

export type NewApiKey = Omit<ApiKey, 'createdAt' | 'lastUsedAt' | 'expirationEmailSent'>;
