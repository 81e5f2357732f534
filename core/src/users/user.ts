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
