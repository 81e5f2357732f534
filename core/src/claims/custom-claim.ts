/** A custom claim of a user or a group, added to the tokens of the user (and the group's members). */
export interface CustomClaim {
  key: string;
  value: string;
}

/** Whose claims: a user's or a group's (exactly one owner, as in Pocket ID). */
export type ClaimOwner = { userId: string } | { groupId: string };
