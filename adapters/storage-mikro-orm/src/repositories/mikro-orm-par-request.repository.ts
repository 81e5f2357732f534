import type { PushedAuthorizationRequest, PushedAuthorizationRequestRepository } from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { ParRequestEntity } from '../entities/par-request.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';
import { parseJson, selectAll } from './raw-sql.js';

type ParRow = InferEntity<typeof ParRequestEntity>;

/**
 * Single use in one statement, as for WebAuthn challenges: the delete that removes the row returns it,
 * so of concurrent uses (on any instance) exactly one gets it. Another client's request_uri matches no
 * row and stays usable by its owner. The `request_uri` column holds the SHA-256 of the URI.
 */
const CONSUME = `delete from par_requests where request_uri = ? and client_id = ? and expires_at > ?
returning request_uri, client_id, parameters, created_at, expires_at`;

export class MikroOrmParRequestRepository implements PushedAuthorizationRequestRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(request: PushedAuthorizationRequest): Promise<void> {
    const row: ParRow = {
      requestUri: request.requestUriHash,
      clientId: request.clientId,
      parameters: { ...request.parameters },
      createdAt: request.createdAt,
      expiresAt: request.expiresAt,
    };
    await currentEm(this.orm).insert(ParRequestEntity, row);
  }

  async consume(
    requestUriHash: string,
    clientId: string,
    now: Date,
  ): Promise<PushedAuthorizationRequest | null> {
    const [row] = await selectAll<ParRow>(this.orm, ParRequestEntity, CONSUME, [
      requestUriHash,
      clientId,
      now,
    ]);
    if (!row) return null;
    return {
      requestUriHash: row.requestUri,
      clientId: row.clientId,
      parameters: { ...parseJson<Record<string, string>>(row.parameters) },
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }

  async deleteExpired(now: Date): Promise<number> {
    return currentEm(this.orm).nativeDelete(ParRequestEntity, { expiresAt: { $lte: now } });
  }
}
