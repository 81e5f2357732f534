import type {
  InsertSecretResult,
  NewOidcClient,
  NewOidcClientSecret,
  OidcClient,
  OidcClientListCriteria,
  OidcClientPatch,
  OidcClientRepository,
  OidcClientSecret,
  UserGroup,
} from '@latchkey/core';
import { OIDC_CLIENT_LIST_FILTERABLE, OIDC_CLIENT_LIST_SORTABLE } from '@latchkey/core';
import { raw } from '@mikro-orm/core';
import type { InferEntity } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { OidcClientAllowedGroupEntity } from '../entities/oidc-client-allowed-group.entity.js';
import { OidcClientSecretEntity } from '../entities/oidc-client-secret.entity.js';
import { OidcClientEntity } from '../entities/oidc-client.entity.js';
import { UserGroupEntity } from '../entities/user-group.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm, inTransaction } from '../unit-of-work.js';
import { likePattern } from './mikro-orm-user.repository.js';
import { groupRows, parseJson, placeholders, selectAll, selectOne } from './raw-sql.js';
import { CLIENTS_REVISION, RevisionCache } from './revision-cache.js';
import { toUniqueViolation } from './unique-violation.js';
import type { UniqueIndex } from './unique-violation.js';

type ClientRow = InferEntity<typeof OidcClientEntity>;
type SecretRow = InferEntity<typeof OidcClientSecretEntity>;
type GroupRow = InferEntity<typeof UserGroupEntity>;

const CLIENT_INDEXES: readonly UniqueIndex[] = [{ name: 'oidc_clients_pkey', column: 'id', field: 'id' }];

/** API field → entity property, for the sortable and filterable columns (pocket-id-api.md §1.3). */
const PROPERTY: Record<string, keyof ClientRow & string> = {
  createdAt: 'createdAt',
  pkceEnabled: 'pkceEnabled',
  requiresReauthentication: 'requiresReauthentication',
  requiresPushedAuthorizationRequests: 'requiresPar',
  skipConsent: 'skipConsent',
  isGroupRestricted: 'isGroupRestricted',
  pkceSupported: 'pkceSupported',
  clientType: 'clientType',
};
const SORTABLE = new Set<string>(OIDC_CLIENT_LIST_SORTABLE);
const FILTERABLE = new Set<string>(OIDC_CLIENT_LIST_FILTERABLE);
const GROUP_COUNT = raw('(select count(*) from oidc_client_allowed_groups a where a.client_id = c.id)');

/**
 * Hand-written SQL for what every authorization and token request reads: the client (twice per token
 * request: client authentication, then the secret check), its secrets and its allowed groups (see
 * raw-sql.ts). `in (…)` lists get one placeholder per id.
 */
const CLIENT_BY_ID = `select id, name, description, is_public, pkce_enabled, pkce_supported, requires_reauthentication,
requires_par, skip_consent, launch_url, callback_urls, logout_callback_urls, backchannel_logout_uri, logo_type,
dark_logo_type, access_token_lifetime_minutes, refresh_token_lifetime_minutes, id_token_lifetime_minutes,
is_group_restricted, client_type, created_by_id, created_at, updated_at from oidc_clients where id = ?`;
const secretsOfSql = (n: number) => `select id, client_id, hash, alg, prefix, created_at, expires_at
from oidc_client_secrets where client_id in (${placeholders(n)}) order by created_at desc, id asc`;
/** One row per (client, group), in the groups' order: by name, then id. */
const allowedGroupsSql = (
  n: number,
) => `select a.client_id, g.id, g.name, g.friendly_name, g.ldap_id, g.created_at,
g.updated_at from oidc_client_allowed_groups a join user_groups g on g.id = a.group_id
where a.client_id in (${placeholders(n)}) order by g.name asc, g.id asc`;

/**
 * OIDC clients, their allowed groups (`oidc_client_allowed_groups`) and secrets
 * (`oidc_client_secrets`). Reads bypass the identity map; deleting a client takes its secrets and
 * group links along through `ON DELETE CASCADE`.
 */
export class MikroOrmOidcClientRepository implements OidcClientRepository {
  /**
   * Every token request authenticates its client: the client and its secrets are served from
   * in-process caches that a revision check keeps in step with every instance's writes
   * (revision-cache.ts). Each write below bumps the revision in its own transaction.
   */
  private readonly clients: RevisionCache<OidcClient>;
  private readonly secrets: RevisionCache<OidcClientSecret[]>;

  constructor(private readonly orm: LatchkeyOrm) {
    this.clients = new RevisionCache(orm, CLIENTS_REVISION);
    this.secrets = new RevisionCache(orm, CLIENTS_REVISION);
  }

  findById(id: string): Promise<OidcClient | null> {
    return this.clients.get(id, async () => {
      const row = await selectOne<ClientRow>(this.orm, OidcClientEntity, CLIENT_BY_ID, [id]);
      return row ? toDomain(row) : null;
    });
  }

  async count(criteria: OidcClientListCriteria): Promise<number> {
    return this.query(currentEm(this.orm), criteria).getCount();
  }

  async list(criteria: OidcClientListCriteria, offset: number, limit: number): Promise<OidcClient[]> {
    const em = currentEm(this.orm);
    const qb = this.query(em, criteria).select('c.id').offset(offset).limit(limit);
    const column = criteria.sort && SORTABLE.has(criteria.sort.column) ? criteria.sort.column : undefined;
    const direction = criteria.sort?.direction ?? 'asc';
    if (column === 'allowedUserGroupsCount') qb.orderBy([{ [GROUP_COUNT]: direction }, { id: 'asc' }]);
    // Names sort ignoring case, so both engines (and any PostgreSQL collation) give the same order.
    else if (column === 'name') qb.orderBy([{ [raw('lower(c.name)')]: direction }, { id: 'asc' }]);
    else if (column) qb.orderBy([{ [PROPERTY[column]!]: direction }, { createdAt: 'asc' }, { id: 'asc' }]);
    else qb.orderBy([{ createdAt: 'asc' }, { id: 'asc' }]);
    const ids = (await qb.execute<{ id: string }[]>('all')).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await em.find(OidcClientEntity, { id: { $in: ids } }, { disableIdentityMap: true });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => (byId.has(id) ? [toDomain(byId.get(id)!)] : []));
  }

  async insert(client: NewOidcClient): Promise<OidcClient> {
    const now = new Date();
    const row: ClientRow = {
      ...toRow(client),
      id: client.id,
      pkceSupported: false,
      logoType: null,
      darkLogoType: null,
      clientType: 'standard',
      // Grant types follow from `isPublic` (pocket-id-api.md §9) until clients can choose them.
      grantTypes: [],
      metadataExpiresAt: null,
      createdById: client.createdById,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await inTransaction(this.orm, async (em) => {
        await em.insert(OidcClientEntity, row);
        await this.clients.bump(em);
      });
    } catch (err) {
      throw toUniqueViolation(err, 'oidc_clients', CLIENT_INDEXES);
    }
    return toDomain(row);
  }

  async update(id: string, patch: OidcClientPatch): Promise<OidcClient | null> {
    const data: Partial<ClientRow> = { ...toRow(patch), updatedAt: new Date() };
    if (patch.pkceSupported !== undefined) data.pkceSupported = patch.pkceSupported;
    return inTransaction(this.orm, async (em) => {
      if ((await em.nativeUpdate(OidcClientEntity, { id }, data)) === 0) return null;
      await this.clients.bump(em);
      const row = await em.findOne(OidcClientEntity, { id }, { disableIdentityMap: true });
      return row ? toDomain(row) : null;
    });
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.orm, async (em) => {
      if ((await em.nativeDelete(OidcClientEntity, { id })) === 0) return false;
      await this.clients.bump(em);
      return true;
    });
  }

  async setLogoType(id: string, variant: 'light' | 'dark', type: string | null): Promise<OidcClient | null> {
    const data: Partial<ClientRow> = variant === 'light' ? { logoType: type } : { darkLogoType: type };
    return inTransaction(this.orm, async (em) => {
      if ((await em.nativeUpdate(OidcClientEntity, { id }, { ...data, updatedAt: new Date() })) === 0)
        return null;
      await this.clients.bump(em);
      const row = await em.findOne(OidcClientEntity, { id }, { disableIdentityMap: true });
      return row ? toDomain(row) : null;
    });
  }

  async allowedGroupsOf(clientIds: string[]): Promise<Map<string, UserGroup[]>> {
    if (clientIds.length === 0) return new Map();
    const ids = [...new Set(clientIds)];
    const rows = await selectAll<GroupRow & { client_id: string }>(
      this.orm,
      UserGroupEntity,
      allowedGroupsSql(ids.length),
      ids,
    );
    return groupRows(rows, (row) => row.client_id, groupToDomain);
  }

  async allowedGroupCounts(clientIds: string[]): Promise<Map<string, number>> {
    if (clientIds.length === 0) return new Map();
    const rows = await currentEm(this.orm)
      .createQueryBuilder(OidcClientAllowedGroupEntity, 'a')
      .select(['a.client_id', raw('count(*) as n')])
      .where({ clientId: { $in: [...new Set(clientIds)] } })
      .groupBy('a.client_id')
      .execute<{ clientId?: string; client_id?: string; n: number | string }[]>('all');
    return new Map(rows.map((r) => [(r.clientId ?? r.client_id)!, Number(r.n)]));
  }

  async setAllowedGroups(clientId: string, groupIds: string[]): Promise<void> {
    await inTransaction(this.orm, async (em) => {
      await em.nativeDelete(OidcClientAllowedGroupEntity, { clientId });
      const unique = [...new Set(groupIds)];
      if (unique.length === 0) return;
      const existing = await em.find(
        UserGroupEntity,
        { id: { $in: unique } },
        { disableIdentityMap: true, fields: ['id'] },
      );
      if (existing.length === 0) return;
      await em.insertMany(
        OidcClientAllowedGroupEntity,
        existing.map((g) => ({ clientId, groupId: g.id })),
      );
    });
  }

  async secretsOf(clientIds: string[]): Promise<Map<string, OidcClientSecret[]>> {
    if (clientIds.length === 0) return new Map();
    const ids = [...new Set(clientIds)];
    const read = async () => {
      const rows = await selectAll<SecretRow>(
        this.orm,
        OidcClientSecretEntity,
        secretsOfSql(ids.length),
        ids,
      );
      return groupRows(rows, (row) => row.clientId, secretToDomain);
    };
    if (ids.length > 1) return read();
    // One client's: what client authentication asks for on every token request.
    const id = ids[0]!;
    const secrets = await this.secrets.get(id, async () => (await read()).get(id) ?? []);
    return secrets && secrets.length > 0 ? new Map([[id, secrets]]) : new Map();
  }

  async insertSecret(secret: NewOidcClientSecret, max: number): Promise<InsertSecretResult> {
    return inTransaction(this.orm, async (em) => {
      // A no-op update takes the client's row lock (PostgreSQL) or the write lock (SQLite) before
      // counting, so concurrent calls queue here and cannot exceed `max` between count and insert.
      const locked = await em
        .createQueryBuilder(OidcClientEntity)
        .update({ updatedAt: raw('updated_at') })
        .where({ id: secret.clientId })
        .execute('run');
      if (((locked as { affectedRows?: number }).affectedRows ?? 0) === 0)
        return { status: 'client_not_found' };
      const existing = await em.count(OidcClientSecretEntity, { clientId: secret.clientId });
      if (existing >= max) return { status: 'limit_reached' };
      const row: SecretRow = {
        id: secret.id,
        clientId: secret.clientId,
        hash: secret.hash,
        alg: secret.alg,
        prefix: secret.prefix,
        createdAt: new Date(),
        expiresAt: secret.expiresAt,
      };
      await em.insert(OidcClientSecretEntity, row);
      await this.clients.bump(em);
      return { status: 'inserted', secret: secretToDomain(row) };
    });
  }

  async deleteSecret(clientId: string, secretId: string): Promise<boolean> {
    return inTransaction(this.orm, async (em) => {
      if ((await em.nativeDelete(OidcClientSecretEntity, { id: secretId, clientId })) === 0) return false;
      await this.clients.bump(em);
      return true;
    });
  }

  private query(em: SqlEntityManager, criteria: OidcClientListCriteria) {
    const where: Record<string, unknown> = {};
    for (const [field, values] of Object.entries(criteria.filters ?? {})) {
      if (FILTERABLE.has(field) && values.length > 0) where[PROPERTY[field]!] = { $in: values };
    }
    const qb = em.createQueryBuilder(OidcClientEntity, 'c').where(where);
    if (criteria.search) qb.andWhere(`lower(c.name) like ? escape '!'`, [likePattern(criteria.search)]);
    return qb;
  }
}

function toRow(fields: OidcClientPatch | NewOidcClient) {
  return {
    name: fields.name,
    description: fields.description,
    isPublic: fields.isPublic,
    pkceEnabled: fields.pkceEnabled,
    requiresReauthentication: fields.requiresReauthentication,
    requiresPar: fields.requiresPushedAuthorizationRequests,
    skipConsent: fields.skipConsent,
    launchUrl: fields.launchUrl,
    callbackUrls: fields.callbackUrls,
    logoutCallbackUrls: fields.logoutCallbackUrls,
    backchannelLogoutUri: fields.backchannelLogoutUri,
    accessTokenLifetimeMinutes: fields.accessTokenLifetimeMinutes,
    refreshTokenLifetimeMinutes: fields.refreshTokenLifetimeMinutes,
    idTokenLifetimeMinutes: fields.idTokenLifetimeMinutes,
    isGroupRestricted: fields.isGroupRestricted,
  };
}

function toDomain(row: ClientRow): OidcClient {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    isPublic: row.isPublic,
    pkceEnabled: row.pkceEnabled,
    pkceSupported: row.pkceSupported,
    requiresReauthentication: row.requiresReauthentication,
    requiresPushedAuthorizationRequests: row.requiresPar,
    skipConsent: row.skipConsent,
    launchUrl: row.launchUrl ?? null,
    // Parsed by MikroORM when read through the em, a string from raw SQL on SQLite.
    callbackUrls: row.callbackUrls == null ? [] : parseJson<string[]>(row.callbackUrls),
    logoutCallbackUrls: row.logoutCallbackUrls == null ? [] : parseJson<string[]>(row.logoutCallbackUrls),
    backchannelLogoutUri: row.backchannelLogoutUri ?? null,
    logoType: row.logoType ?? null,
    darkLogoType: row.darkLogoType ?? null,
    accessTokenLifetimeMinutes: row.accessTokenLifetimeMinutes ?? null,
    refreshTokenLifetimeMinutes: row.refreshTokenLifetimeMinutes ?? null,
    idTokenLifetimeMinutes: row.idTokenLifetimeMinutes ?? null,
    isGroupRestricted: row.isGroupRestricted,
    clientType: row.clientType === 'cimd' ? 'cimd' : 'standard',
    createdById: row.createdById ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function secretToDomain(row: SecretRow): OidcClientSecret {
  return {
    id: row.id,
    clientId: row.clientId,
    hash: row.hash,
    alg: row.alg === 'bcrypt' ? 'bcrypt' : 'sha256',
    prefix: row.prefix ?? null,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt ?? null,
  };
}

function groupToDomain(row: GroupRow): UserGroup {
  return {
    id: row.id,
    name: row.name,
    friendlyName: row.friendlyName,
    ldapId: row.ldapId ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
