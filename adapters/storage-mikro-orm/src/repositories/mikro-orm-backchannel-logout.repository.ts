import type { BackchannelLogoutRepository, LogoutSubscriber, QueuedLogout } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { BackchannelLogoutEntity } from '../entities/backchannel-logout.entity.js';
import { OidcClientEntity } from '../entities/oidc-client.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

type QueueRow = InferEntity<typeof BackchannelLogoutEntity>;

/**
 * Who to tell when a session ends: the clients holding access tokens or refresh-token families issued
 * in it (the `sid` of their ID tokens), that registered a back-channel URI.
 */
const SUBSCRIBERS = `select distinct c.id as client_id, c.backchannel_logout_uri as uri, t.user_id as user_id
from (
  select client_id, user_id from access_tokens where session_id = ? and user_id is not null
  union
  select client_id, user_id from refresh_token_families where session_id = ?
) t join oidc_clients c on c.id = t.client_id
where c.backchannel_logout_uri is not null and c.backchannel_logout_uri <> ''`;

/** The back-channel logout queue (`backchannel_logout_queue`); see the port for the claiming rule. */
export class MikroOrmBackchannelLogoutRepository implements BackchannelLogoutRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async subscribersOfSession(sessionId: string): Promise<LogoutSubscriber[]> {
    const rows = await currentEm(this.orm).execute<{ client_id: string; uri: string; user_id: string }[]>(
      SUBSCRIBERS,
      [sessionId, sessionId],
      'all',
    );
    return rows.map((r) => ({ clientId: r.client_id, backchannelLogoutUri: r.uri, userId: r.user_id }));
  }

  async enqueue(items: Omit<QueuedLogout, 'attempts' | 'lastError' | 'createdAt'>[]): Promise<void> {
    if (items.length === 0) return;
    const em = currentEm(this.orm);
    const createdAt = new Date();
    await em.insertMany(
      BackchannelLogoutEntity,
      items.map((i) => ({ ...i, attempts: 0, lastError: null, createdAt })),
    );
  }

  async due(now: Date, limit: number): Promise<(QueuedLogout & { backchannelLogoutUri: string | null })[]> {
    const em = currentEm(this.orm);
    const rows = await em.find(
      BackchannelLogoutEntity,
      { nextAttemptAt: { $lte: now } },
      { orderBy: { nextAttemptAt: 'asc' }, limit, disableIdentityMap: true },
    );
    if (rows.length === 0) return [];
    const clients = await em.find(
      OidcClientEntity,
      { id: { $in: [...new Set(rows.map((r) => r.clientId))] } },
      { fields: ['id', 'backchannelLogoutUri'], disableIdentityMap: true },
    );
    const uris = new Map(clients.map((c) => [c.id, c.backchannelLogoutUri || null]));
    return rows.map((r) => ({ ...toDomain(r), backchannelLogoutUri: uris.get(r.clientId) ?? null }));
  }

  async claim(id: string, expectedNextAttemptAt: Date, leaseUntil: Date): Promise<boolean> {
    const changed = await currentEm(this.orm).nativeUpdate(
      BackchannelLogoutEntity,
      { id, nextAttemptAt: expectedNextAttemptAt },
      { nextAttemptAt: leaseUntil },
    );
    return changed === 1;
  }

  async reschedule(
    id: string,
    update: { attempts: number; nextAttemptAt: Date; lastError: string; logoutToken: string },
  ): Promise<void> {
    await currentEm(this.orm).nativeUpdate(BackchannelLogoutEntity, { id }, update);
  }

  async remove(id: string): Promise<void> {
    await currentEm(this.orm).nativeDelete(BackchannelLogoutEntity, { id });
  }

  count(): Promise<number> {
    return currentEm(this.orm).count(BackchannelLogoutEntity, {});
  }
}

function toDomain(row: QueueRow): QueuedLogout {
  return {
    id: row.id,
    clientId: row.clientId,
    logoutToken: row.logoutToken,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError ?? null,
    createdAt: row.createdAt,
  };
}
