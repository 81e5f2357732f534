import type { ListQuery } from '../http/pagination.js';
import type { NewUser, User, UserPatch } from './user.js';

/**
 * What the admin user list is narrowed and ordered by: `search` (substring of email, first name, last
 * name or username, case-insensitive), `filters` on emailVerified/isAdmin/disabled, a whitelisted sort.
 */
export type UserListCriteria = Pick<ListQuery, 'search' | 'sort' | 'filters'>;

/** Thrown by repositories when a unique field is taken; features turn it into 409 `already_in_use`. */
export class UniqueViolationError extends Error {
  constructor(readonly field: 'username' | 'email' | 'name' | 'id') {
    super(`${field} is already in use`);
    this.name = 'UniqueViolationError';
  }
}

export interface UserRepository {
  findById(id: string): Promise<User | null>;
  /** Case-insensitive. */
  findByUsername(username: string): Promise<User | null>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | null>;
  /** Throws UniqueViolationError naming the field when the username or email is taken. */
  insert(user: NewUser): Promise<User>;
  /**
   * Inserts `user` only if no user exists yet, atomically across concurrent requests and instances
   * (first-admin setup). Returns null when a user already exists.
   */
  insertFirstUser(user: NewUser): Promise<User | null>;
  /** Throws UniqueViolationError as insert does; returns null when the user does not exist. */
  update(id: string, patch: UserPatch): Promise<User | null>;
  /** The users that exist among `ids`, ordered by username. */
  findByIds(ids: string[]): Promise<User[]>;
  count(criteria?: UserListCriteria): Promise<number>;
  /** One page, in `criteria.sort` order (creation order otherwise). */
  list(criteria: UserListCriteria, offset: number, limit: number): Promise<User[]>;
  /** Removes the user with their sessions, passkeys, memberships and claims; false when unknown. */
  delete(id: string): Promise<boolean>;
  /** Admins who are not disabled: those who can still administer the instance. */
  countActiveAdmins(): Promise<number>;
  /**
   * Serialises changes to the set of active admins until the current transaction ends, so two
   * concurrent demotions cannot both see the other admin and leave none.
   */
  lockAdmins(): Promise<void>;
}
