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

/** A client a user may sign in to (Pocket ID's "my apps"), with their consent's last use, if any. */
export interface AccessibleClient {
  clientId: string;
  /** Null when the user never authorized the client, or took the authorization back. */
  lastUsedAt: Date | null;
}

/**
 * `search` matches the client's name; `filters` takes the OIDC client list's filterable fields plus
 * `hasLaunchURL`; `sort` the client list's sortable fields plus `lastUsedAt`.
 */
export type AccessibleClientCriteria = Pick<ListQuery, 'sort' | 'filters' | 'search'>;

/**
 * Reads a user's consents joined with their clients, for the "authorized clients" lists, and the
 * clients a user may use at all (the "my apps" list).
 */
export interface AuthorizedClientRepository {
  count(userId: string, criteria: AuthorizedClientCriteria): Promise<number>;
  /** One page, by `lastUsedAt` (most recent first unless `criteria.sort` says otherwise), then client name. */
  list(
    userId: string,
    criteria: AuthorizedClientCriteria,
    offset: number,
    limit: number,
  ): Promise<AuthorizedClient[]>;
  /**
   * The clients the user may sign in to: those not restricted to groups, and those that allow one of
   * the user's groups (a restricted client without allowed groups admits nobody).
   */
  countAccessible(userId: string, criteria: AccessibleClientCriteria): Promise<number>;
  /**
   * One page of them, in `criteria.sort` order; by default (and on ties) most recently used first,
   * never-used last, then by name ignoring case.
   */
  listAccessible(
    userId: string,
    criteria: AccessibleClientCriteria,
    offset: number,
    limit: number,
  ): Promise<AccessibleClient[]>;
}
