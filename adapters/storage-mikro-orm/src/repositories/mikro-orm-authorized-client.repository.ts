import type { AuthorizedClient, AuthorizedClientCriteria, AuthorizedClientRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ConsentEntity } from '../entities/consent.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
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
      currentEm(this.orm),
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
}
