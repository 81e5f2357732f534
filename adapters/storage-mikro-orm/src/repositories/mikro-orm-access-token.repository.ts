import type {
  AccessTokenRecord,
  AccessTokenRepository,
  ClaimsRequest,
  NewAccessTokenRecord,
} from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { AccessTokenEntity } from '../entities/access-token.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';

/** The row, plus its family's `claims` request (not a column of access_tokens, so not mapped). */
type AccessTokenRow = InferEntity<typeof AccessTokenEntity> & { family_claims?: unknown };

/**
 * The session is looked up, not taken on trust: a sign-out may delete it between the grant's checks and
 * this insert, and a dangling id would fail the foreign key (a 500). Gone, it is null, as the key's
 * `on delete set null` would have made it a moment later.
 */
const INSERT = `insert into access_tokens
(jti, client_id, user_id, family_id, session_id, scope, created_at, expires_at, revoked_at)
values (?, ?, ?, ?, (select id from sessions where id = ?), ?, ?, ?, null)`;

/**
 * A token is revoked when it was, or when the family (grant) it came from was; the family's `claims`
 * request rides along for userinfo, in the same statement.
 */
const FIND = `select a.jti, a.client_id, a.user_id, a.family_id, a.session_id, a.scope, a.created_at,
a.expires_at, coalesce(a.revoked_at, f.revoked_at) as revoked_at, f.claims as family_claims
from access_tokens a left join refresh_token_families f on f.id = a.family_id
where a.jti = ?`;

/**
 * Marks the record revoked, or writes one already revoked for a token that has none (a client's own
 * token, recorded only now). The conflict clause is the same on SQLite (3.24+) and PostgreSQL; an
 * already revoked record changes nothing (0 rows).
 */
const REVOKE = `insert into access_tokens
(jti, client_id, user_id, family_id, session_id, scope, created_at, expires_at, revoked_at)
values (?, ?, ?, ?, (select id from sessions where id = ?), ?, ?, ?, ?)
on conflict (jti) do update set revoked_at = excluded.revoked_at where access_tokens.revoked_at is null`;

/**
 * Records of access tokens (`access_tokens`): tokens revoked one by one (RFC 7009), tokens issued before
 * families vouched for their access tokens, and any user token issued without a family (token-lookup.ts).
 * Looked up on every userinfo and introspection call, hence hand-written SQL (see raw-sql.ts).
 */
export class MikroOrmAccessTokenRepository implements AccessTokenRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(record: NewAccessTokenRecord): Promise<void> {
    await run(this.orm, INSERT, [
      record.jti,
      record.clientId,
      record.userId,
      record.familyId,
      record.sessionId,
      record.scope,
      record.createdAt,
      record.expiresAt,
    ]);
  }

  async find(jti: string): Promise<AccessTokenRecord | null> {
    const row = await selectOne<AccessTokenRow>(this.orm, AccessTokenEntity, FIND, [jti]);
    return row ? toDomain(row) : null;
  }

  async revoke(token: NewAccessTokenRecord, now: Date): Promise<boolean> {
    return (
      (await run(this.orm, REVOKE, [
        token.jti,
        token.clientId,
        token.userId,
        token.familyId,
        token.sessionId,
        token.scope,
        token.createdAt,
        token.expiresAt,
        now,
      ])) === 1
    );
  }

  async deleteExpired(before: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(AccessTokenEntity, { expiresAt: { $lte: before } });
  }
}

function toDomain(row: AccessTokenRow): AccessTokenRecord {
  return {
    jti: row.jti,
    clientId: row.clientId,
    userId: row.userId ?? null,
    familyId: row.familyId ?? null,
    sessionId: row.sessionId ?? null,
    scope: row.scope,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt ?? null,
    claims: row.family_claims == null ? null : parseJson<ClaimsRequest>(row.family_claims),
  };
}
