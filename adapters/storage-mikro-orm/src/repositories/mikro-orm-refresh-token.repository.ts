import type {
  ClaimsRequest,
  NewRefreshToken,
  NewRefreshTokenFamily,
  RefreshToken,
  RefreshTokenFamily,
  RefreshTokenRepository,
} from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { RefreshTokenFamilyEntity } from '../entities/refresh-token-family.entity.js';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { inRawTransaction, inTransaction } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';

type FamilyRow = InferEntity<typeof RefreshTokenFamilyEntity>;

/** The session is looked up, as for access tokens (mikro-orm-access-token.repository.ts says why). */
const INSERT_FAMILY = `insert into refresh_token_families
(id, client_id, user_id, session_id, scope, auth_time, amr, claims, created_at, expires_at, revoked_at)
values (?, ?, ?, (select id from sessions where id = ?), ?, ?, ?, ?, ?, ?, null)`;
const INSERT_TOKEN = `insert into refresh_tokens (token_hash, family_id, created_at, expires_at, used_at)
values (?, ?, ?, ?, null)`;
const EXTEND_FAMILY = `update refresh_token_families set expires_at = ? where id = ? and expires_at < ?`;
/**
 * A token with its family, in one statement: the family's columns map to its entity; the token's come
 * aliased (`t_…`), which the family's mapper leaves as the engine returns them (`tokenFromRow`).
 */
const FIND_TOKEN = `select f.id, f.client_id, f.user_id, f.session_id, f.scope, f.auth_time, f.amr, f.claims,
f.created_at, f.expires_at, f.revoked_at, f.access_revoked_at,
t.created_at as t_created_at, t.expires_at as t_expires_at, t.used_at as t_used_at
from refresh_tokens t join refresh_token_families f on f.id = t.family_id
where t.token_hash = ?`;
const FIND_FAMILY = `select id, client_id, user_id, session_id, scope, auth_time, amr, claims, created_at,
expires_at, revoked_at, access_revoked_at from refresh_token_families where id = ?`;

/**
 * The one statement that decides who rotates a token: on PostgreSQL a concurrent update waits for the
 * row lock and re-checks `used_at is null` (READ COMMITTED), SQLite writes one at a time; either way
 * exactly one caller changes the row.
 */
const MARK_USED = `update refresh_tokens set used_at = ?
where token_hash = ? and used_at is null and expires_at > ?
and exists (select 1 from refresh_token_families f where f.id = refresh_tokens.family_id and f.revoked_at is null)`;

const REVOKE_FAMILY = `update refresh_token_families set revoked_at = ? where id = ? and revoked_at is null`;
const REVOKE_FAMILY_ACCESS = `update access_tokens set revoked_at = ? where family_id = ? and revoked_at is null`;
/** Padded with spaces so `offline_access` matches as a whole word of the space-separated scope. */
const REVOKE_SESSION_FAMILIES = `update refresh_token_families set revoked_at = ?
where session_id = ? and revoked_at is null and (' ' || scope || ' ') not like '% offline_access %'`;
const REVOKE_SESSION_ACCESS = `update access_tokens set revoked_at = ? where session_id = ? and revoked_at is null`;
/** The unrecorded access tokens of the session's families, `offline_access` ones included (token-lookup.ts). */
const REVOKE_SESSION_FAMILY_ACCESS = `update refresh_token_families set access_revoked_at = ?
where session_id = ? and access_revoked_at is null`;
const REVOKE_GRANT_FAMILIES = `update refresh_token_families set revoked_at = ?
where user_id = ? and client_id = ? and revoked_at is null`;
const REVOKE_GRANT_ACCESS = `update access_tokens set revoked_at = ?
where user_id = ? and client_id = ? and revoked_at is null`;

/**
 * Refresh tokens (`refresh_tokens`, only the SHA-256 of each) and their families
 * (`refresh_token_families`). Used tokens stay until they expire, so that a replay is recognised; a
 * family's `expires_at` covers its newest token (token-issuer.ts extends it, with headroom, only when it
 * falls short), and deleting an expired family takes its tokens and
 * access-token records along (`ON DELETE CASCADE`).
 */
export class MikroOrmRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async createFamily(family: NewRefreshTokenFamily, first: Omit<NewRefreshToken, 'familyId'>): Promise<void> {
    await inRawTransaction(this.orm, async () => {
      await run(this.orm, INSERT_FAMILY, [
        family.id,
        family.clientId,
        family.userId,
        family.sessionId,
        family.scope,
        family.authTime,
        JSON.stringify(family.amr),
        family.claims ? JSON.stringify(family.claims) : null,
        family.createdAt,
        family.expiresAt,
      ]);
      await run(this.orm, INSERT_TOKEN, [first.tokenHash, family.id, first.createdAt, first.expiresAt]);
    });
  }

  async addToken(token: NewRefreshToken, familyExpiresAt: Date | null = token.expiresAt): Promise<void> {
    const insert = [token.tokenHash, token.familyId, token.createdAt, token.expiresAt];
    // One statement needs no transaction of its own (a rotation already runs in the grant's).
    if (familyExpiresAt === null) {
      await run(this.orm, INSERT_TOKEN, insert);
      return;
    }
    await inRawTransaction(this.orm, async () => {
      await run(this.orm, INSERT_TOKEN, insert);
      await run(this.orm, EXTEND_FAMILY, [familyExpiresAt, token.familyId, familyExpiresAt]);
    });
  }

  async find(tokenHash: string): Promise<{ token: RefreshToken; family: RefreshTokenFamily } | null> {
    const row = await selectOne<FamilyRow & TokenColumns>(this.orm, RefreshTokenFamilyEntity, FIND_TOKEN, [
      tokenHash,
    ]);
    if (!row) return null;
    const token: RefreshToken = {
      tokenHash,
      familyId: row.id,
      createdAt: engineDate(row.t_created_at)!,
      expiresAt: engineDate(row.t_expires_at)!,
      usedAt: engineDate(row.t_used_at),
    };
    return { token, family: familyToDomain(row) };
  }

  async findFamily(familyId: string): Promise<RefreshTokenFamily | null> {
    const row = await selectOne<FamilyRow>(this.orm, RefreshTokenFamilyEntity, FIND_FAMILY, [familyId]);
    return row ? familyToDomain(row) : null;
  }

  async markUsed(tokenHash: string, now: Date): Promise<boolean> {
    return (await run(this.orm, MARK_USED, [now, tokenHash, now])) === 1;
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await inRawTransaction(this.orm, async () => {
      await run(this.orm, REVOKE_FAMILY, [now, familyId]);
      await run(this.orm, REVOKE_FAMILY_ACCESS, [now, familyId]);
    });
  }

  async revokeGrants(userId: string, clientId: string, now: Date): Promise<number> {
    return inRawTransaction(this.orm, async () => {
      const families = await run(this.orm, REVOKE_GRANT_FAMILIES, [now, userId, clientId]);
      const accessTokens = await run(this.orm, REVOKE_GRANT_ACCESS, [now, userId, clientId]);
      return families + accessTokens;
    });
  }

  async revokeSession(sessionId: string, now: Date): Promise<number> {
    return inRawTransaction(this.orm, async () => {
      const families = await run(this.orm, REVOKE_SESSION_FAMILIES, [now, sessionId]);
      await run(this.orm, REVOKE_SESSION_FAMILY_ACCESS, [now, sessionId]);
      const accessTokens = await run(this.orm, REVOKE_SESSION_ACCESS, [now, sessionId]);
      return families + accessTokens;
    });
  }

  async deleteExpired(before: Date): Promise<number> {
    return inTransaction(this.orm, async (em) => {
      const tokens = await em.nativeDelete(RefreshTokenEntity, { expiresAt: { $lte: before } });
      const families = await em.nativeDelete(RefreshTokenFamilyEntity, { expiresAt: { $lte: before } });
      return tokens + families;
    });
  }
}

/** The token's columns of FIND_TOKEN, unmapped: epoch milliseconds on SQLite, Dates on PostgreSQL. */
interface TokenColumns {
  t_created_at: number | Date;
  t_expires_at: number | Date;
  t_used_at: number | Date | null;
}

function engineDate(value: number | Date | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}

function familyToDomain(row: FamilyRow): RefreshTokenFamily {
  return {
    id: row.id,
    clientId: row.clientId,
    userId: row.userId,
    sessionId: row.sessionId ?? null,
    scope: row.scope,
    authTime: row.authTime,
    amr: [...parseJson<string[]>(row.amr)],
    claims: row.claims == null ? null : parseJson<ClaimsRequest>(row.claims),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt ?? null,
    accessRevokedAt: row.accessRevokedAt ?? null,
  };
}
