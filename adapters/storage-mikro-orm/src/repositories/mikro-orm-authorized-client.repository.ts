import type {
  AccessibleClient,
  AccessibleClientCriteria,
  AuthorizedClient,
  AuthorizedClientCriteria,
  AuthorizedClientRepository,
} from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ConsentEntity } from '../entities/consent.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { likePattern } from './mikro-orm-user.repository.js';
import { parseJson, selectAll } from './raw-sql.js';

type ConsentRow = InferEntity<typeof ConsentEntity>;

const FROM = `from consents c join oidc_clients o on o.id = c.client_id where c.user_id = ?`;

/** `filters[hasLaunchURL]`: one value narrows; both (or none) leave the list whole. */
function launchUrlFilter(criteria: AuthorizedClientCriteria): string {
  const values = new Set(criteria.filters?.hasLaunchURL ?? []);
  if (values.has(true) && !values.has(false)) return ` and o.launch_url is not null`;
  if (values.has(false) && !values.has(true)) return ` and o.launch_url is null`;
  return '';
}

/**
 * The clients a user may sign in to, each with the user's consent when there is one. Parameters:
 * the user (consent join), `false` (unrestricted) and the user again (group membership). A restricted
 * client admits only members of its allowed groups, as the authorization step decides.
 */
const ACCESSIBLE = `from oidc_clients o
left join consents c on c.client_id = o.id and c.user_id = ?
where (o.is_group_restricted = ? or exists (
  select 1 from oidc_client_allowed_groups a
  join user_group_members m on m.group_id = a.group_id and m.user_id = ?
  where a.client_id = o.id))`;

/** API field → column, for "my apps" filters (the OIDC client list's, pocket-id-api.md §1.3). */
const FILTER_COLUMNS: Record<string, { column: string; type: 'boolean' | 'string' }> = {
  pkceEnabled: { column: 'o.pkce_enabled', type: 'boolean' },
  requiresReauthentication: { column: 'o.requires_reauthentication', type: 'boolean' },
  requiresPushedAuthorizationRequests: { column: 'o.requires_par', type: 'boolean' },
  skipConsent: { column: 'o.skip_consent', type: 'boolean' },
  isGroupRestricted: { column: 'o.is_group_restricted', type: 'boolean' },
  pkceSupported: { column: 'o.pkce_supported', type: 'boolean' },
  clientType: { column: 'o.client_type', type: 'string' },
};

/** API field → order expression, for "my apps" sorting (`lastUsedAt` is handled apart: nulls last). */
const SORT_COLUMNS: Record<string, string> = {
  name: 'lower(o.name)',
  createdAt: 'o.created_at',
  pkceEnabled: 'o.pkce_enabled',
  requiresReauthentication: 'o.requires_reauthentication',
  requiresPushedAuthorizationRequests: 'o.requires_par',
  skipConsent: 'o.skip_consent',
  isGroupRestricted: 'o.is_group_restricted',
  pkceSupported: 'o.pkce_supported',
  clientType: 'o.client_type',
  allowedUserGroupsCount: '(select count(*) from oidc_client_allowed_groups g where g.client_id = o.id)',
};

/**
 * The `where` additions and their parameters for "my apps". A filter value of the wrong type for its
 * column (`filters[skipConsent]=maybe`) matches nothing, as `column IN (…)` would, instead of reaching
 * PostgreSQL as an invalid boolean.
 */
function accessibleFilters(criteria: AccessibleClientCriteria): { sql: string; params: unknown[] } {
  let sql = launchUrlFilter(criteria);
  const params: unknown[] = [];
  for (const [field, values] of Object.entries(criteria.filters ?? {})) {
    const filter = FILTER_COLUMNS[field];
    if (!filter || values.length === 0) continue;
    const typed =
      filter.type === 'boolean'
        ? values.filter((v): v is boolean => typeof v === 'boolean')
        : values.map(String);
    if (typed.length === 0) {
      sql += ' and 1 = 0';
      continue;
    }
    sql += ` and ${filter.column} in (${typed.map(() => '?').join(', ')})`;
    params.push(...typed);
  }
  if (criteria.search) {
    sql += ` and lower(o.name) like ? escape '!'`;
    params.push(likePattern(criteria.search));
  }
  return { sql, params };
}

function accessibleOrder(criteria: AccessibleClientCriteria): string {
  const ties = 'lower(o.name) asc, o.id asc';
  const sort = criteria.sort;
  const direction = sort?.direction === 'desc' ? 'desc' : 'asc';
  if (sort && SORT_COLUMNS[sort.column]) return `${SORT_COLUMNS[sort.column]} ${direction}, ${ties}`;
  const lastUsed = sort?.column === 'lastUsedAt' ? direction : 'desc';
  return `c.last_used_at ${lastUsed} nulls last, ${ties}`;
}

/**
 * A user's consents joined with their clients (the "authorized clients" lists). Never-used entries
 * sort last in either direction (`nulls last`, on both engines); ties go by client name, ignoring case.
 */
export class MikroOrmAuthorizedClientRepository implements AuthorizedClientRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async count(userId: string, criteria: AuthorizedClientCriteria): Promise<number> {
    const row = await currentEm(this.orm).execute<{ n: number | string }>(
      `select count(*) as n ${FROM}${launchUrlFilter(criteria)}`,
      [userId],
      'get',
    );
    return Number(row?.n ?? 0);
  }

  async list(
    userId: string,
    criteria: AuthorizedClientCriteria,
    offset: number,
    limit: number,
  ): Promise<AuthorizedClient[]> {
    const direction =
      criteria.sort?.column === 'lastUsedAt' && criteria.sort.direction === 'asc' ? 'asc' : 'desc';
    const rows = await selectAll<ConsentRow>(
      this.orm,
      ConsentEntity,
      `select c.user_id, c.client_id, c.scopes, c.created_at, c.last_used_at ${FROM}${launchUrlFilter(criteria)}
order by c.last_used_at ${direction} nulls last, lower(o.name) asc, o.id asc limit ? offset ?`,
      [userId, limit, offset],
    );
    return rows.map((row) => ({
      clientId: row.clientId,
      scopes: [...parseJson<string[]>(row.scopes)],
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt ?? null,
    }));
  }

  async countAccessible(userId: string, criteria: AccessibleClientCriteria): Promise<number> {
    const filters = accessibleFilters(criteria);
    const row = await currentEm(this.orm).execute<{ n: number | string }>(
      `select count(*) as n ${ACCESSIBLE}${filters.sql}`,
      [userId, false, userId, ...filters.params],
      'get',
    );
    return Number(row?.n ?? 0);
  }

  async listAccessible(
    userId: string,
    criteria: AccessibleClientCriteria,
    offset: number,
    limit: number,
  ): Promise<AccessibleClient[]> {
    const filters = accessibleFilters(criteria);
    const rows = await selectAll<Pick<ConsentRow, 'clientId' | 'lastUsedAt'>>(
      currentEm(this.orm),
      ConsentEntity,
      `select o.id as client_id, c.last_used_at ${ACCESSIBLE}${filters.sql}
order by ${accessibleOrder(criteria)} limit ? offset ?`,
      [userId, false, userId, ...filters.params, limit, offset],
    );
    return rows.map((row) => ({ clientId: row.clientId, lastUsedAt: row.lastUsedAt ?? null }));
  }
}
