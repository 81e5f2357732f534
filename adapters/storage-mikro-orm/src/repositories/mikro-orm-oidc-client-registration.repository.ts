import type {
  ClientRegistration,
  ClientRegistrationRepository,
  NewClientRegistration,
  RegisteredMetadata,
} from '@latchkey/core';
import type { InferEntity } from '@mikro-orm/core';
import { OidcClientRegistrationEntity } from '../entities/oidc-client-registration.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

type Row = InferEntity<typeof OidcClientRegistrationEntity>;

/** `oidc_client_registrations`; reads bypass the identity map (another instance may have written). */
export class MikroOrmOidcClientRegistrationRepository implements ClientRegistrationRepository {
  constructor(private readonly orm: LatchkeyOrm) {}

  async insert(registration: NewClientRegistration): Promise<void> {
    const now = new Date();
    const row: Row = {
      clientId: registration.clientId,
      accessTokenHash: registration.accessTokenHash,
      metadata: { ...registration.metadata },
      createdAt: now,
      updatedAt: now,
    };
    await currentEm(this.orm).insert(OidcClientRegistrationEntity, row);
  }

  async find(clientId: string): Promise<ClientRegistration | null> {
    const row = await currentEm(this.orm).findOne(
      OidcClientRegistrationEntity,
      { clientId },
      { disableIdentityMap: true },
    );
    return row ? toDomain(row) : null;
  }

  async updateMetadata(clientId: string, metadata: RegisteredMetadata): Promise<boolean> {
    const updated = await currentEm(this.orm).nativeUpdate(
      OidcClientRegistrationEntity,
      { clientId },
      { metadata: { ...metadata }, updatedAt: new Date() },
    );
    return updated > 0;
  }
}

function toDomain(row: Row): ClientRegistration {
  const m = row.metadata ?? {};
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  const metadata: RegisteredMetadata = {
    grant_types: strings(m.grant_types),
    response_types: strings(m.response_types),
    token_endpoint_auth_method:
      typeof m.token_endpoint_auth_method === 'string' ? m.token_endpoint_auth_method : 'client_secret_basic',
    ...(typeof m.scope === 'string' ? { scope: m.scope } : {}),
    ...(typeof m.logo_uri === 'string' ? { logo_uri: m.logo_uri } : {}),
  };
  return {
    clientId: row.clientId,
    accessTokenHash: row.accessTokenHash,
    metadata,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
