/**
 * A dynamically registered client's registration (RFC 7591, RFC 7592): the hash of its registration
 * access token and the registered metadata the client model has no place for. The client itself is an
 * ordinary OIDC client; deleting it deletes this row too (foreign key, `ON DELETE CASCADE`).
 */
export interface ClientRegistration {
  clientId: string;
  /** SHA-256 (hex) of the registration access token; the token itself is never stored. */
  accessTokenHash: string;
  metadata: RegisteredMetadata;
  createdAt: Date;
  updatedAt: Date;
}

/** Registered values that are not fields of the client (those are read from the client itself). */
export interface RegisteredMetadata {
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope?: string;
  /** The URL the logo was fetched from, shown back while the client still has a logo. */
  logo_uri?: string;
}

export type NewClientRegistration = Omit<ClientRegistration, 'createdAt' | 'updatedAt'>;

export interface ClientRegistrationRepository {
  insert(registration: NewClientRegistration): Promise<void>;
  find(clientId: string): Promise<ClientRegistration | null>;
  /** Replaces the metadata; false when there is no registration for the client. */
  updateMetadata(clientId: string, metadata: RegisteredMetadata): Promise<boolean>;
}
