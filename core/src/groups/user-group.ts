/** A named set of users (Pocket ID's user group). Plain data: repositories map to and from it. */
export interface UserGroup {
  id: string;
  /** Unique; the value that appears in the `groups` claim. */
  name: string;
  friendlyName: string;
  ldapId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUserGroup = Pick<UserGroup, 'id' | 'name' | 'friendlyName'> & { ldapId?: string | null };

export type UserGroupPatch = Partial<Pick<UserGroup, 'name' | 'friendlyName'>>;
