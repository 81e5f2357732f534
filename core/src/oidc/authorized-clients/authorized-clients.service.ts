import { problems } from '../../errors/problem.errors.js';
import type { OidcClientRepository } from '../../clients/oidc-client.repository.port.js';
import type { OidcClient } from '../../clients/oidc-client.js';
import type { ListQuery, Page } from '../../http/pagination.js';
import { paginate } from '../../http/pagination.js';
import type { Database } from '../../storage/database.port.js';
import type { ConsentRepository } from '../authorization/authorization-code.js';
import type { RefreshTokenRepository } from '../tokens/refresh-token.repository.port.js';
import type {
  AccessibleClient,
  AuthorizedClient,
  AuthorizedClientRepository,
} from './authorized-client.repository.port.js';

export interface AuthorizedClientsDeps {
  authorizedClients: AuthorizedClientRepository;
  clients: Pick<OidcClientRepository, 'findById'>;
  consents: Pick<ConsentRepository, 'revoke'>;
  refreshTokens: Pick<RefreshTokenRepository, 'revokeGrants'>;
  database: Pick<Database, 'transaction'>;
  now?: () => Date;
}

export const clientAuthorizationNotFound = () =>
  problems.notFound('Client authorization not found', { resource: 'Client authorization' });

/**
 * The apps a user has authorized (Pocket ID's "authorized clients"), and taking one back: the consent
 * goes, and so does every refresh-token family and access token the user holds for that client, so
 * the app has to ask again.
 */
export class AuthorizedClientsService {
  constructor(private readonly deps: AuthorizedClientsDeps) {}

  async list(userId: string, query: ListQuery): Promise<Page<AuthorizedClient & { client: OidcClient }>> {
    const criteria = { sort: query.sort, filters: query.filters };
    const page = await paginate(
      query,
      () => this.deps.authorizedClients.count(userId, criteria),
      (offset, limit) => this.deps.authorizedClients.list(userId, criteria, offset, limit),
    );
    const data: (AuthorizedClient & { client: OidcClient })[] = [];
    for (const entry of page.data) {
      // Deleting a client deletes its consents, so a miss is only a deletion racing this read.
      const client = await this.deps.clients.findById(entry.clientId);
      if (client) data.push({ ...entry, client });
    }
    return { ...page, data };
  }

  /** The clients the user may sign in to ("my apps"), each with when the user last used it. */
  async listAccessible(
    userId: string,
    query: ListQuery,
  ): Promise<Page<AccessibleClient & { client: OidcClient }>> {
    const criteria = { sort: query.sort, filters: query.filters, search: query.search };
    const page = await paginate(
      query,
      () => this.deps.authorizedClients.countAccessible(userId, criteria),
      (offset, limit) => this.deps.authorizedClients.listAccessible(userId, criteria, offset, limit),
    );
    const data: (AccessibleClient & { client: OidcClient })[] = [];
    for (const entry of page.data) {
      const client = await this.deps.clients.findById(entry.clientId);
      if (client) data.push({ ...entry, client });
    }
    return { ...page, data };
  }

  /**
   * 404 (`Client authorization`) when there was nothing to take back: no consent and no live token.
   * A client that skips consent has tokens but no consent, and can still be revoked here.
   */
  async revoke(userId: string, clientId: string): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    const changed = await this.deps.database.transaction(async () => {
      const consent = await this.deps.consents.revoke(userId, clientId);
      const tokens = await this.deps.refreshTokens.revokeGrants(userId, clientId, now);
      return consent || tokens > 0;
    });
    if (!changed) throw clientAuthorizationNotFound();
  }
}
