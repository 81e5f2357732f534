import type { AuthorizationCode, AuthorizationCodeRepository, ClaimsRequest } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { AuthorizationCodeEntity } from '../entities/authorization-code.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { parseJson, run, selectOne } from './raw-sql.js';

type CodeRow = InferEntity<typeof AuthorizationCodeEntity>;

const COLUMNS = `code_hash, client_id, user_id, session_id, redirect_uri, scope, nonce, code_challenge,
code_challenge_method, auth_time, amr, claims, created_at, expires_at, redeemed_at, family_id`;

const INSERT = `insert into authorization_codes (${COLUMNS})
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null)`;

/**
 * The one statement that decides who redeems a code: on PostgreSQL a concurrent update waits for the
 * row lock and re-checks `redeemed_at is null` (READ COMMITTED), SQLite writes one at a time; either
 * way exactly one caller changes the row.
 */
const MARK_REDEEMED = `update authorization_codes set redeemed_at = ?
where code_hash = ? and redeemed_at is null and expires_at > ?`;

const FIND_UNEXPIRED = `select ${COLUMNS} from authorization_codes where code_hash = ? and expires_at > ?`;
const SET_FAMILY = `update authorization_codes set family_id = ? where code_hash = ?`;

/**
 * Authorization codes (only their SHA-256 is stored). `redeem` is single use through one conditional
 * update whose affected-row count says whether this caller was first; the row is read afterwards.
 * A code is valid while `expires_at > now`; `deleteExpired(before)` removes codes with
 * `expires_at <= before`, as the other repositories' `deleteExpired` do.
 */
export class MikroOrmAuthorizationCodeRepository implements AuthorizationCodeRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(code: Omit<AuthorizationCode, 'redeemedAt' | 'familyId'>): Promise<void> {
    // Hand-written SQL: on every authorization (see raw-sql.ts).
    await run(this.orm, INSERT, [
      code.codeHash,
      code.clientId,
      code.userId,
      code.sessionId,
      code.redirectUri,
      code.scope,
      code.nonce,
      code.codeChallenge,
      code.codeChallengeMethod,
      code.authTime,
      JSON.stringify(code.amr),
      code.claims === null ? null : JSON.stringify(code.claims),
      code.createdAt,
      code.expiresAt,
    ]);
  }

  async redeem(codeHash: string, now: Date): Promise<{ code: AuthorizationCode; first: boolean } | null> {
    const em = this.orm;
    const first = (await run(em, MARK_REDEEMED, [now, codeHash, now])) === 1;
    const row = await selectOne<CodeRow>(em, AuthorizationCodeEntity, FIND_UNEXPIRED, [codeHash, now]);
    // Gone between the two statements (deleted with its client, user or session): nothing to return.
    if (!row) return null;
    // Not first: a row that is still not redeemed cannot answer here (the update would have taken it);
    // treat that as unknown rather than claim a redemption that did not happen.
    if (!first && !row.redeemedAt) return null;
    return { code: toDomain(row), first };
  }

  async setFamily(codeHash: string, familyId: string): Promise<void> {
    await run(this.orm, SET_FAMILY, [familyId, codeHash]);
  }

  async deleteExpired(before: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(AuthorizationCodeEntity, { expiresAt: { $lte: before } });
  }
}

function toDomain(row: CodeRow): AuthorizationCode {
  return {
    codeHash: row.codeHash,
    clientId: row.clientId,
    userId: row.userId,
    sessionId: row.sessionId ?? null,
    redirectUri: row.redirectUri,
    scope: row.scope,
    nonce: row.nonce ?? null,
    codeChallenge: row.codeChallenge ?? null,
    codeChallengeMethod: (row.codeChallengeMethod ?? null) as AuthorizationCode['codeChallengeMethod'],
    authTime: row.authTime,
    amr: [...parseJson<string[]>(row.amr)],
    claims: row.claims == null ? null : parseJson<ClaimsRequest>(row.claims),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    redeemedAt: row.redeemedAt ?? null,
    familyId: row.familyId ?? null,
  };
}
