import { randomUUID } from 'node:crypto';
import type { ClientInfo, EventBus } from '../kernel/event-bus.js';
import type { Logger } from '../kernel/logger.js';
import type { PasskeyCredentialRepository } from '../passkeys/passkey.repository.port.js';
import type { UserRepository } from '../users/user.repository.port.js';
import type { AuditEvent, AuditLogEntry } from './audit-log.js';
import type { AuditLogRepository } from './audit-log.repository.port.js';
import type { IpLocator } from './ip-locator.port.js';

export interface AuditServiceDeps {
  repository: AuditLogRepository;
  ipLocator: IpLocator;
  users: Pick<UserRepository, 'findById'>;
  /** Finds a just-registered credential's id when the event does not carry it. */
  passkeys?: Pick<PasskeyCredentialRepository, 'findForUser'>;
  logger: Logger;
  now?: () => Date;
}

/** base64url credential id → hex, as Pocket ID's `credentialID` audit data. */
function credentialHex(base64url: string): string {
  return Buffer.from(base64url, 'base64url').toString('hex');
}

/**
 * Turns bus events into audit log entries (pocket-id-api.md §7). A failed write is logged and
 * swallowed: the audit trail must never break the sign-in that caused it.
 *
 * Pocket ID writes `ACCOUNT_CREATED` only for `POST /api/signup` — not for first-admin setup and not
 * for an admin creating a user — and so does this service.
 */
export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  /** Subscribes to the core events; returns a function that unsubscribes. */
  subscribe(bus: EventBus): () => void {
    const offs = [
      bus.on('user.signed_in', async (e) => {
        if (e.method === 'setup') return;
        await this.record(e.method === 'passkey' ? 'SIGN_IN' : 'TOKEN_SIGN_IN', e.userId, e.client);
      }),
      bus.on('user.created', async (e) => {
        if (e.via !== 'signup') return;
        const data: Record<string, string> = e.signupToken
          ? { signupToken: e.signupToken }
          : { method: 'open_signup' };
        await this.record('ACCOUNT_CREATED', e.userId, e.client, data);
      }),
      bus.on('passkey.registered', async (e) => {
        const credentialId =
          e.credentialId ?? (await this.deps.passkeys?.findForUser(e.passkeyId, e.userId))?.credentialId;
        await this.record('PASSKEY_ADDED', e.userId, e.client, {
          ...(credentialId && { credentialID: credentialHex(credentialId) }),
          passkeyName: e.name,
        });
      }),
      bus.on('passkey.removed', async (e) => {
        const data: Record<string, string> = {
          ...(e.credentialId && { credentialID: credentialHex(e.credentialId) }),
          passkeyName: e.name,
        };
        if (e.actorUserId !== e.userId) {
          data.actorUserID = e.actorUserId;
          const actor = await this.deps.users.findById(e.actorUserId);
          if (actor) data.actorUsername = actor.username;
        }
        await this.record('PASSKEY_REMOVED', e.userId, e.client, data);
      }),
      bus.on('client.authorized', async (e) => {
        const event =
          e.via === 'device'
            ? e.firstTime
              ? 'NEW_DEVICE_CODE_AUTHORIZATION'
              : 'DEVICE_CODE_AUTHORIZATION'
            : e.firstTime
              ? 'NEW_CLIENT_AUTHORIZATION'
              : 'CLIENT_AUTHORIZATION';
        await this.record(event, e.userId, e.client, { clientName: e.clientName });
      }),
      bus.on('passkey.sign_count_regressed', async (e) => {
        const credentialId =
          e.credentialId ?? (await this.deps.passkeys?.findForUser(e.passkeyId, e.userId))?.credentialId;
        await this.record('PASSKEY_SIGN_COUNT_REGRESSED', e.userId, e.client, {
          ...(credentialId && { credentialID: credentialHex(credentialId) }),
          storedSignCount: String(e.storedCount),
        });
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Writes one entry; returns it, or null when the write failed (logged, never thrown). */
  async record(
    event: AuditEvent,
    userId: string,
    client: ClientInfo,
    data: Record<string, string> = {},
  ): Promise<AuditLogEntry | null> {
    try {
      const location = client.ip
        ? await this.deps.ipLocator.locate(client.ip)
        : { country: null, city: null };
      return await this.deps.repository.insert({
        id: randomUUID(),
        event,
        ipAddress: client.ip || null,
        userAgent: client.userAgent || null,
        country: location.country,
        city: location.city,
        data,
        userId,
        createdAt: this.deps.now?.() ?? new Date(),
      });
    } catch (err) {
      this.deps.logger.error({ err, event, userId }, 'could not write an audit log entry');
      return null;
    }
  }

  /** The retention job's work: deletes entries older than `days` days; returns how many. */
  async prune(days: number): Promise<number> {
    const now = this.deps.now?.() ?? new Date();
    return this.deps.repository.deleteOlderThan(new Date(now.getTime() - days * 86_400_000));
  }
}
