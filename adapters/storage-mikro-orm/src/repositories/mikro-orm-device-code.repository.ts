import type { DeviceCode, DeviceCodeRepository, DeviceDecision, NewDeviceCode } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { DeviceCodeEntity } from '../entities/device-code.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { parseJson, run } from './raw-sql.js';

type DeviceCodeRow = InferEntity<typeof DeviceCodeEntity>;

/** `on conflict do nothing`: a taken user code is an answer, not an error that would abort a transaction. */
const INSERT = `insert into device_codes
(device_code_hash, user_code, client_id, scope, user_id, session_id, status, poll_interval, last_polled_at,
 auth_time, amr, created_at, expires_at)
values (?, ?, ?, ?, null, null, 'pending', ?, null, null, null, ?, ?)
on conflict (user_code) do nothing`;

/** RFC 8628 device codes (`device_codes`). Every state change is one conditional statement. */
export class MikroOrmDeviceCodeRepository implements DeviceCodeRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(code: NewDeviceCode): Promise<boolean> {
    const changed = await run(this.orm, INSERT, [
      code.deviceCodeHash,
      code.userCode,
      code.clientId,
      code.scope,
      code.pollInterval,
      code.createdAt,
      code.expiresAt,
    ]);
    return changed === 1;
  }

  async findByUserCode(userCode: string): Promise<DeviceCode | null> {
    const row = await currentEm(this.orm).findOne(
      DeviceCodeEntity,
      { userCode },
      { disableIdentityMap: true },
    );
    return row ? toDomain(row) : null;
  }

  async findByDeviceCodeHash(deviceCodeHash: string): Promise<DeviceCode | null> {
    const row = await currentEm(this.orm).findOne(
      DeviceCodeEntity,
      { deviceCodeHash },
      { disableIdentityMap: true },
    );
    return row ? toDomain(row) : null;
  }

  async decide(userCode: string, decision: DeviceDecision, now: Date): Promise<boolean> {
    const changed = await currentEm(this.orm).nativeUpdate(
      DeviceCodeEntity,
      { userCode, status: 'pending', expiresAt: { $gt: now } },
      decision.status === 'approved'
        ? {
            status: 'approved',
            userId: decision.userId,
            sessionId: decision.sessionId,
            authTime: decision.authTime,
            amr: [...decision.amr],
          }
        : { status: 'denied' },
    );
    return changed === 1;
  }

  async poll(deviceCodeHash: string, now: Date): Promise<'ok' | 'slow_down'> {
    const em = currentEm(this.orm);
    const row = await em.findOne(DeviceCodeEntity, { deviceCodeHash }, { disableIdentityMap: true });
    if (!row) return 'ok';
    const last = row.lastPolledAt ?? null;
    if (last === null || now.getTime() - last.getTime() >= row.pollInterval * 1000) {
      const changed = await em.nativeUpdate(
        DeviceCodeEntity,
        { deviceCodeHash, lastPolledAt: last },
        { lastPolledAt: now },
      );
      if (changed === 1) return 'ok';
    }
    // Too soon (or a concurrent poll won): RFC 8628 §3.5, the interval grows by 5 seconds for good.
    await em.nativeUpdate(
      DeviceCodeEntity,
      { deviceCodeHash },
      { lastPolledAt: now, pollInterval: row.pollInterval + 5 },
    );
    return 'slow_down';
  }

  async consume(deviceCodeHash: string): Promise<boolean> {
    const changed = await currentEm(this.orm).nativeDelete(DeviceCodeEntity, {
      deviceCodeHash,
      status: { $in: ['approved', 'denied'] },
    });
    return changed === 1;
  }

  deleteExpired(before: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(DeviceCodeEntity, { expiresAt: { $lte: before } });
  }
}

function toDomain(row: DeviceCodeRow): DeviceCode {
  return {
    deviceCodeHash: row.deviceCodeHash,
    userCode: row.userCode,
    clientId: row.clientId,
    scope: row.scope,
    status: row.status,
    userId: row.userId ?? null,
    sessionId: row.sessionId ?? null,
    authTime: row.authTime ?? null,
    amr: row.amr ? parseJson<string[]>(row.amr) : null,
    pollInterval: row.pollInterval,
    lastPolledAt: row.lastPolledAt ?? null,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}
