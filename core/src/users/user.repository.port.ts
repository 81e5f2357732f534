import type { NewUser, User, UserPatch } from './user.js';

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
  count(): Promise<number>;
  /** Throws UniqueViolationError naming the field when the username or email is taken. */
  insert(user: NewUser): Promise<User>;
  /**
   * Inserts `user` only if no user exists yet, atomically across concurrent requests and instances
   * (first-admin setup). Returns null when a user already exists.
   */
  insertFirstUser(user: NewUser): Promise<User | null>;
  /** Throws UniqueViolationError as insert does; returns null when the user does not exist. */
  update(id: string, patch: UserPatch): Promise<User | null>;
}
