import { randomUUID } from 'node:crypto';
import type { AppSettingsProvider } from '../app-config/app-settings.js';
import { problems } from '../errors/problem.errors.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import type { ClientInfo, EventBus } from '../kernel/event-bus.js';
import type { SessionService } from '../sessions/session.service.js';
import type { Database } from '../storage/database.port.js';
import { checkNotLastAdmin } from './last-admin.check.js';
import type { User } from './user.js';
import { alreadyInUse, userNotFound } from './user.errors.js';
import { UniqueViolationError, type UserRepository } from './user.repository.port.js';
import type { UserBody } from './user.schema.js';

async function mapUnique<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UniqueViolationError) throw alreadyInUse(error);
    throw error;
  }
}

/** The personal fields of a body, NFC-normalised (pocket-id-api.md §1.1) and defaulted. */
function personalFields(body: UserBody) {
  const username = body.username.normalize('NFC');
  const firstName = (body.firstName ?? '').trim().normalize('NFC');
  const lastName = body.lastName?.trim().normalize('NFC') || null;
  return {
    username,
    email: body.email?.trim().normalize('NFC') || null,
    firstName,
    lastName,
    displayName:
      body.displayName?.trim().normalize('NFC') ||
      [firstName, lastName].filter(Boolean).join(' ') ||
      username,
    locale: body.locale?.trim() || null,
  };
}

/**
 * The admin's user management and a user's own profile edit (pocket-id-api.md §4.3). Changes that
 * touch several rows run in one transaction; disabling or deleting a user revokes all their sessions.
 */
export class UserService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      groups: Pick<UserGroupRepository, 'setGroupsOfUser'>;
      sessions: Pick<SessionService, 'revokeAllForUser'>;
      settings: AppSettingsProvider;
      events: EventBus;
      database: Pick<Database, 'transaction'>;
    },
  ) {}

  private async requireEmail(email: string | null): Promise<void> {
    if (!email && (await this.deps.settings.get()).requireUserEmail) {
      throw problems.validationFailed([{ field: 'email', code: 'required', message: 'is required' }]);
    }
  }

  async create(body: UserBody, actor: { userId: string; client: ClientInfo }): Promise<User> {
    const fields = personalFields(body);
    await this.requireEmail(fields.email);
    const user = await mapUnique(() =>
      this.deps.database.transaction(async () => {
        const created = await this.deps.users.insert({
          id: body.id ?? randomUUID(),
          ...fields,
          emailVerified: body.emailVerified ?? false,
          isAdmin: body.isAdmin ?? false,
          disabled: body.disabled ?? false,
        });
        if (body.userGroupIds?.length) await this.deps.groups.setGroupsOfUser(created.id, body.userGroupIds);
        return created;
      }),
    );
    await this.deps.events.emit('user.created', {
      userId: user.id,
      via: 'admin',
      actorUserId: actor.userId,
      client: actor.client,
    });
    return user;
  }

  /**
   * Replaces the personal fields as Pocket ID does (an omitted flag is false). A changed email is no
   * longer verified unless the body says it is.
   */
  async update(id: string, body: UserBody): Promise<User> {
    const fields = personalFields(body);
    await this.requireEmail(fields.email);
    return mapUnique(() =>
      this.deps.database.transaction(async () => {
        await this.deps.users.lockAdmins();
        const current = await this.deps.users.findById(id);
        if (!current) throw userNotFound();
        const next = { isAdmin: body.isAdmin ?? false, disabled: body.disabled ?? false };
        await checkNotLastAdmin(this.deps.users, current, next);
        const emailChanged = fields.email?.toLowerCase() !== current.email?.toLowerCase();
        const updated = await this.deps.users.update(id, {
          ...fields,
          ...next,
          emailVerified: body.emailVerified ?? (emailChanged ? false : current.emailVerified),
        });
        if (!updated) throw userNotFound();
        if (updated.disabled && !current.disabled) await this.deps.sessions.revokeAllForUser(id);
        return updated;
      }),
    );
  }

  /**
   * A user edits their own profile: `isAdmin`, `emailVerified` and `disabled` are ignored, and only
   * `locale` changes while the `allowOwnAccountEdit` setting is off.
   */
  async updateOwn(user: User, body: UserBody): Promise<User> {
    const fields = personalFields(body);
    const { allowOwnAccountEdit } = await this.deps.settings.get();
    if (!allowOwnAccountEdit) {
      const updated = await this.deps.users.update(user.id, { locale: fields.locale });
      if (!updated) throw userNotFound();
      return updated;
    }
    await this.requireEmail(fields.email);
    const emailChanged = fields.email?.toLowerCase() !== user.email?.toLowerCase();
    const updated = await mapUnique(() =>
      this.deps.users.update(user.id, { ...fields, ...(emailChanged ? { emailVerified: false } : {}) }),
    );
    if (!updated) throw userNotFound();
    return updated;
  }

  /** Deletes the user after revoking their sessions; the last active admin stays. */
  async delete(id: string): Promise<void> {
    await this.deps.database.transaction(async () => {
      await this.deps.users.lockAdmins();
      const current = await this.deps.users.findById(id);
      if (!current) throw userNotFound();
      await checkNotLastAdmin(this.deps.users, current, 'deleted');
      await this.deps.sessions.revokeAllForUser(id);
      await this.deps.users.delete(id);
    });
    await this.deps.events.emit('user.deleted', { userId: id });
  }

  /** Replaces the user's groups; unknown group ids are ignored (Pocket ID). */
  async setGroups(id: string, groupIds: string[]): Promise<User> {
    return this.deps.database.transaction(async () => {
      const user = await this.deps.users.findById(id);
      if (!user) throw userNotFound();
      await this.deps.groups.setGroupsOfUser(id, [...new Set(groupIds)]);
      return user;
    });
  }
}
