/** A person who signs in. Plain data: repositories map to and from it. */
export interface User {
  id: string;
  /** Unique case-insensitively; kept as entered. */
  username: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string;
  lastName: string | null;
  displayName: string;
  isAdmin: boolean;
  locale: string | null;
  disabled: boolean;
  ldapId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Omit<User, 'createdAt' | 'updatedAt' | 'ldapId'> & { ldapId?: string | null };

export type UserPatch = Partial<Omit<User, 'id' | 'createdAt' | 'updatedAt'>>;

/**
 * The synthetic admin that `STATIC_API_KEY` authenticates as (Pocket ID §1.5). It is no person: it never
 * signs in, and repositories leave it out of `count()`, first-user setup and the last-admin rule.
 */
export const STATIC_API_USER_ID = '00000000-0000-0000-0000-000000000000';
