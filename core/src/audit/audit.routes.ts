import { json } from '../http/render.js';
import { parseListQuery, paginate } from '../http/pagination.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import type {
  AuditLogEntryWithUser,
  AuditLogFilter,
  AuditLogRepository,
  AuditLogSortColumn,
} from './audit-log.repository.port.js';
import { describeDevice } from './device.js';

const SORTABLE: readonly AuditLogSortColumn[] = [
  'event',
  'ipAddress',
  'country',
  'city',
  'userAgent',
  'createdAt',
];

/**
 * Pocket ID's AuditLogDto (pocket-id-api.md §3). `username` only on `/all`, and `actorUsername` only
 * when an admin acted for the user, as Go's `omitempty` leaves them out otherwise.
 */
export function toAuditLogDto(entry: AuditLogEntryWithUser, withUsername: boolean) {
  return {
    id: entry.id,
    createdAt: entry.createdAt.toISOString(),
    event: entry.event,
    ipAddress: entry.ipAddress ?? '',
    country: entry.country ?? '',
    city: entry.city ?? '',
    device: describeDevice(entry.userAgent),
    userID: entry.userId ?? '',
    ...(withUsername && entry.username ? { username: entry.username } : {}),
    ...(entry.data.actorUsername ? { actorUsername: entry.data.actorUsername } : {}),
    data: entry.data,
  };
}

const strings = (values: (string | number | boolean)[] | undefined) => values?.map(String);

/** `/api/audit-logs[/all]` and the admin filter lists (pocket-id-api.md §4.8, §1.3). */
export function auditRoutes(deps: { auditLogs: AuditLogRepository }): RouteDef[] {
  const list = async (query: Parameters<typeof parseListQuery>[0], base: AuditLogFilter, all: boolean) => {
    const options = parseListQuery(query, {
      sortable: SORTABLE,
      filterable: all ? ['event', 'userID', 'clientName', 'location'] : ['event', 'userID'],
    });
    const filter: AuditLogFilter = {
      ...base,
      events: strings(options.filters.event),
      userIds: strings(options.filters.userID),
      clientNames: strings(options.filters.clientName),
      locations: strings(options.filters.location)?.filter(
        (l): l is 'internal' | 'external' => l === 'internal' || l === 'external',
      ),
    };
    // only `internal` and `external` mean something; any other value is ignored
    if (filter.locations?.length === 0) filter.locations = undefined;
    const page = await paginate(
      options,
      () => deps.auditLogs.count(filter),
      (offset, limit) =>
        deps.auditLogs.list(filter, {
          offset,
          limit,
          sort: options.sort as { column: AuditLogSortColumn; direction: 'asc' | 'desc' } | undefined,
        }),
    );
    return json(200, { ...page, data: page.data.map((e) => toAuditLogDto(e, all)) });
  };

  return [
    defineRoute({
      name: 'audit-logs.list-own',
      method: 'GET',
      path: '/api/audit-logs',
      auth: 'user',
      tags: ['audit-logs'],
      summary: 'Your own audit log, paginated',
      async handler(req) {
        return list(req.query, { ownerId: req.auth!.user.id }, false);
      },
    }),
    defineRoute({
      name: 'audit-logs.list-all',
      method: 'GET',
      path: '/api/audit-logs/all',
      auth: 'admin',
      tags: ['audit-logs'],
      summary: "Everyone's audit log, with usernames, paginated",
      async handler(req) {
        return list(req.query, {}, true);
      },
    }),
    defineRoute({
      name: 'audit-logs.filters.users',
      method: 'GET',
      path: '/api/audit-logs/filters/users',
      auth: 'admin',
      tags: ['audit-logs'],
      summary: 'The users that have audit log entries, as {id: username}',
      async handler() {
        return json(200, await deps.auditLogs.users());
      },
    }),
    defineRoute({
      name: 'audit-logs.filters.client-names',
      method: 'GET',
      path: '/api/audit-logs/filters/client-names',
      auth: 'admin',
      tags: ['audit-logs'],
      summary: 'The distinct client names found in audit log entries',
      async handler() {
        return json(200, await deps.auditLogs.clientNames());
      },
    }),
  ];
}
