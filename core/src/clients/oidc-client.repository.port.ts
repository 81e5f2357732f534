import type { UserGroup } from '../groups/user-group.js';
import type { ListQuery } from '../http/pagination.js';
import type {
  NewOidcClient,
  NewOidcClientSecret,
  OidcClient,
  OidcClientPatch,
  OidcClientSecret,
} from './oidc-client.js';

/** What a client list is narrowed and ordered by (pocket-id-api.md §1.3). */
export type OidcClientListCriteria = Pick<ListQuery, 'search' | 'sort'> & {
  filters?: ListQuery['filters'];
};

/** The outcome of `insertSecret`: the row, or why none was written. */
export type InsertSecretResult =
  | { status: 'inserted'; secret: OidcClientSecret }
  | { status: 'limit_reached' }
  | { status: 'client_not_found' };

export interface OidcClientRepository {
  findById(id: string): Promise<OidcClient | null>;
  count(criteria: OidcClientListCriteria): Promise<number>;
  /** One page in `criteria.sort` order (`allowedUserGroupsCount` by the number of groups); else `createdAt`. */
  list(criteria: OidcClientListCriteria, offset: number, limit: number): Promise<OidcClient[]>;
  /** Throws UniqueViolationError('id') when the id is taken. */
  insert(client: NewOidcClient): Promise<OidcClient>;
  /** Replaces the editable fields; null when the client does not exist. */
  update(id: string, patch: OidcClientPatch): Promise<OidcClient | null>;
  /** Secrets and group links go with it. */
  delete(id: string): Promise<boolean>;
  /** Records (or with null clears) the stored logo's file extension; null when the client does not exist. */
  setLogoType(id: string, variant: 'light' | 'dark', type: string | null): Promise<OidcClient | null>;
  /** The allowed groups of each client, ordered by name; clients without any are absent. */
  allowedGroupsOf(clientIds: string[]): Promise<Map<string, UserGroup[]>>;
  /** Allowed-group counts; clients without any are absent. */
  allowedGroupCounts(clientIds: string[]): Promise<Map<string, number>>;
  /** Replaces the client's allowed groups; ids of groups that do not exist are ignored. */
  setAllowedGroups(clientId: string, groupIds: string[]): Promise<void>;
  /** The secrets of each client, newest first, expired ones included; clients without any are absent. */
  secretsOf(clientIds: string[]): Promise<Map<string, OidcClientSecret[]>>;
  /**
   * Inserts the secret unless the client already has `max` secrets, decided under a lock on the
   * client's row so that concurrent calls cannot exceed it.
   */
  insertSecret(secret: NewOidcClientSecret, max: number): Promise<InsertSecretResult>;
  deleteSecret(clientId: string, secretId: string): Promise<boolean>;
}
