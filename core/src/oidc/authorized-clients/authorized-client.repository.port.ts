import type { ListQuery } from '../../http/pagination.js';

/** A client a user authorized: their remembered consent (Pocket ID's `user_authorized_oidc_clients`). */
export interface AuthorizedClient {
  clientId: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** `filters.hasLaunchURL` narrows to clients with (true) or without (false) a launch URL. */
export type AuthorizedClientCriteria = Pick<ListQuery, 'sort' | 'filters'>;

/** Reads a user's consents joined with their clients, for the "authorized clients" lists. */
export interface AuthorizedClientRepository {
  count(userId: string, criteria: AuthorizedClientCriteria): Promise<number>;
  /** One page, by `lastUsedAt` (most recent first unless `criteria.sort` says otherwise), then client name. */
  list(
    userId: string,
    criteria: AuthorizedClientCriteria,
    offset: number,
    limit: number,
  ): Promise<AuthorizedClient[]>;
}
