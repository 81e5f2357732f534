import type {
  AuditLogEntry,
  AuditLogEntryWithUser,
  AuditLogFilter,
  AuditLogListOptions,
  AuditLogRepository,
  NewAuditLogEntry,
} from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { FilterQuery, InferEntity } from '@mikro-orm/core';
import type { ParsedConnectionString } from '../connection.js';
import { AuditLogEntity } from '../entities/audit-log.entity.js';
import { UserEntity } from '../entities/user.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { run } from './raw-sql.js';

type AuditLogRow = InferEntity<typeof AuditLogEntity>;

const INTERNAL_NETWORK = 'Internal Network';

/** Hand-written SQL: every sign-in writes an entry (see raw-sql.ts). */
const INSERT = `insert into audit_logs (id, event, ip_address, user_agent, country, city, data, user_id, created_at)
values (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Audit entries. `data.clientName` is read with each engine's JSON operator (SQLite `json_extract`,
 * PostgreSQL `->>`); usernames are looked up after the page is loaded, so a deleted user's entries
 * (user id set null) still list.
 */
export class MikroOrmAuditLogRepository implements AuditLogRepository {
  private readonly clientNameSql: string;

  constructor(
    private readonly orm: LatchkeyOrm,
    dialect: ParsedConnectionString['dialect'],
  ) {
    this.clientNameSql =
      dialect === 'postgresql' ? `(data->>'clientName')` : `json_extract(data, '$.clientName')`;
  }

  async insert(entry: NewAuditLogEntry): Promise<AuditLogEntry> {
    const row: AuditLogRow = {
      id: entry.id,
      event: entry.event,
      ipAddress: entry.ipAddress,
      userAgent: entry.userAgent,
      country: entry.country,
      city: entry.city,
      data: { ...entry.data },
      userId: entry.userId,
      createdAt: entry.createdAt ?? new Date(),
    };
    await run(this.orm, INSERT, [
      row.id,
      row.event,
      row.ipAddress,
      row.userAgent,
      row.country,
      row.city,
      JSON.stringify(row.data),
      row.userId,
      row.createdAt,
    ]);
    return toDomain(row);
  }

  async count(filter: AuditLogFilter): Promise<number> {
    return currentEm(this.orm).count(AuditLogEntity, this.where(filter));
  }

  async list(filter: AuditLogFilter, options: AuditLogListOptions): Promise<AuditLogEntryWithUser[]> {
    const em = currentEm(this.orm);
    const sort = options.sort ?? { column: 'createdAt', direction: 'desc' };
    const rows = await em.find(AuditLogEntity, this.where(filter), {
      orderBy: [{ [sort.column]: sort.direction }, { id: 'asc' }],
      offset: options.offset,
      limit: options.limit,
      disableIdentityMap: true,
    });
    const ids = [...new Set(rows.map((r) => r.userId).filter((id): id is string => !!id))];
    const users =
      ids.length === 0
        ? []
        : await em.find(
            UserEntity,
            { id: { $in: ids } },
            { fields: ['id', 'username'], disableIdentityMap: true },
          );
    const names = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => ({ ...toDomain(r), username: r.userId ? (names.get(r.userId) ?? null) : null }));
  }

  async clientNames(): Promise<string[]> {
    const expr = this.clientNameSql;
    const rows = await currentEm(this.orm).execute<{ name: string }[]>(
      `select distinct ${expr} as name from audit_logs where ${expr} is not null and ${expr} <> '' order by name`,
      [],
      'all',
    );
    return rows.map((r) => r.name);
  }

  async users(): Promise<Record<string, string>> {
    const rows = await currentEm(this.orm).execute<{ id: string; username: string }[]>(
      'select distinct u.id as id, u.username as username from audit_logs a join users u on u.id = a.user_id order by u.username',
      [],
      'all',
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.username]));
  }

  async deleteOlderThan(before: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(AuditLogEntity, { createdAt: { $lt: before } });
  }

  private where(filter: AuditLogFilter): FilterQuery<AuditLogRow> {
    const and: FilterQuery<AuditLogRow>[] = [];
    if (filter.ownerId !== undefined) and.push({ userId: filter.ownerId });
    if (filter.events) and.push({ event: { $in: filter.events } });
    if (filter.userIds) and.push({ userId: { $in: filter.userIds } });
    if (filter.clientNames) and.push({ [raw(this.clientNameSql)]: { $in: filter.clientNames } });
    const locations = new Set(filter.locations ?? []);
    if (locations.size === 1) {
      and.push(
        locations.has('internal')
          ? { country: INTERNAL_NETWORK }
          : { $or: [{ country: null }, { country: { $ne: INTERNAL_NETWORK } }] },
      );
    }
    return and.length === 0 ? {} : { $and: and };
  }
}

function toDomain(row: AuditLogRow): AuditLogEntry {
  return {
    id: row.id,
    event: row.event,
    ipAddress: row.ipAddress ?? null,
    userAgent: row.userAgent ?? null,
    country: row.country ?? null,
    city: row.city ?? null,
    data: typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, string>) : { ...row.data },
    userId: row.userId ?? null,
    createdAt: row.createdAt,
  };
}
