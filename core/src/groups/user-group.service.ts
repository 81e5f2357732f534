import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/database.port.js';
import { alreadyInUse } from '../users/user.errors.js';
import { UniqueViolationError } from '../users/user.repository.port.js';
import type { UserGroup } from './user-group.js';
import { groupNotFound } from './user-group.errors.js';
import type { UserGroupRepository } from './user-group.repository.port.js';
import type { UserGroupBody } from './user-group.schema.js';

async function mapUnique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UniqueViolationError) throw alreadyInUse(error);
    throw error;
  }
}

const fields = (body: UserGroupBody) => ({
  name: body.name.normalize('NFC'),
  friendlyName: body.friendlyName.normalize('NFC'),
});

/** User groups (pocket-id-api.md §4.4): names are unique; membership changes replace the whole set. */
export class UserGroupService {
  constructor(
    private readonly deps: { groups: UserGroupRepository; database: Pick<Database, 'transaction'> },
  ) {}

  async find(id: string): Promise<UserGroup> {
    const group = await this.deps.groups.findById(id);
    if (!group) throw groupNotFound();
    return group;
  }

  create(body: UserGroupBody): Promise<UserGroup> {
    return mapUnique(() => this.deps.groups.insert({ id: randomUUID(), ...fields(body) }));
  }

  async update(id: string, body: UserGroupBody): Promise<UserGroup> {
    const group = await mapUnique(() => this.deps.groups.update(id, fields(body)));
    if (!group) throw groupNotFound();
    return group;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.groups.delete(id))) throw groupNotFound();
  }

  /** Replaces the members; unknown user ids are ignored (Pocket ID). */
  setMembers(id: string, userIds: string[]): Promise<UserGroup> {
    return this.deps.database.transaction(async () => {
      const group = await this.find(id);
      await this.deps.groups.setMembers(id, [...new Set(userIds)]);
      return group;
    });
  }
}
