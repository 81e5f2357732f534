import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ClientLogoService, LogoImage } from '../../clients/client-logo.service.js';
import type { OidcClient } from '../../clients/oidc-client.js';
import type { OidcClientBody } from '../../clients/oidc-client.schema.js';
import type { OidcClientService } from '../../clients/oidc-client.service.js';
import { OAuthError } from '../../errors/oauth.errors.js';
import { ProblemError } from '../../errors/problem.errors.js';
import type { Database } from '../../storage/database.port.js';
import { parseClientMetadata, type ClientMetadata, type MetadataPolicy } from './client-metadata.js';
import type {
  ClientRegistration,
  ClientRegistrationRepository,
  RegisteredMetadata,
} from './client-registration.repository.port.js';

export const REGISTRATION_PATH = '/api/oidc/register';

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client information response. */
export type ClientInformation = Record<string, unknown> & {
  client_id: string;
  registration_access_token: string;
  registration_client_uri: string;
};

const REALM = 'latchkey';

/** RFC 6750 §3.1: a bad token is 401 `invalid_token` with the error in `WWW-Authenticate`. */
export const invalidRegistrationToken = (description: string): OAuthError =>
  new OAuthError('invalid_token', description, {
    headers: { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
  });

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Turns the client service's problems into RFC 7591 §3.2.2 errors: a refused callback URL is
 * `invalid_redirect_uri`, anything else the caller got wrong `invalid_client_metadata`.
 */
async function asRegistrationError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status >= 500) throw error;
    if (error.code === 'oidc_invalid_callback_url') {
      const field =
        error.details.field === 'logoutCallbackURLs' ? 'post_logout_redirect_uris' : 'redirect_uris';
      throw new OAuthError('invalid_redirect_uri', `${field}: ${String(error.details.url)} is not allowed`);
    }
    if (error.code === 'client_id_already_exists') {
      throw new OAuthError('invalid_client_metadata', 'client_id is already registered');
    }
    throw new OAuthError('invalid_client_metadata', error.detail);
  }
}

/**
 * Dynamic Client Registration (RFC 7591) and its management protocol (RFC 7592). A registered client
 * is an ordinary OIDC client, created through {@link OidcClientService} so every rule of the admin API
 * applies; the registration keeps the hash of the registration access token and the metadata the
 * client model has no place for (grant types, scope, auth method).
 *
 * RFC 7592 §3 wants the registration access token in every client information response, but only its
 * hash is stored: read and update answer with the token the caller just presented, which is the current
 * one (tokens are not rotated). A confidential client's secret is shown once, in the registration
 * response; reads never show it.
 */
export class ClientRegistrationService {
  constructor(
    private readonly deps: {
      clients: OidcClientService;
      logos?: ClientLogoService;
      registrations: ClientRegistrationRepository;
      database: Pick<Database, 'transaction'>;
      policy: MetadataPolicy;
    },
  ) {}

  /** RFC 7591 §3.1–§3.2: registers a client for the owner of the initial access token. */
  async register(body: unknown, ownerId: string | null, baseUrl: string): Promise<ClientInformation> {
    const metadata = parseClientMetadata(body, this.deps.policy);
    const id = metadata.client_id ?? randomUUID();
    const isPublic = metadata.token_endpoint_auth_method === 'none';
    const fields = await asRegistrationError(async () =>
      this.deps.clients.checkedFields({
        ...this.clientFields(metadata),
        name: metadata.client_name ?? id.slice(0, 50),
        isPublic,
        pkceEnabled: isPublic,
      }),
    );
    const logo = await this.fetchLogo(metadata);
    const token = randomBytes(32).toString('base64url');
    const { client, secret } = await this.deps.database.transaction(async () => {
      const created = await asRegistrationError(() => this.deps.clients.insert(fields, id, ownerId));
      const issued = isPublic ? undefined : (await this.deps.clients.createSecret(created.id, {})).value;
      await this.deps.registrations.insert({
        clientId: created.id,
        accessTokenHash: hashToken(token).toString('hex'),
        metadata: this.registered(metadata),
      });
      return { client: created, secret: issued };
    });
    const stored = logo && this.deps.logos ? await this.deps.logos.store(client, 'light', logo) : client;
    return this.information(stored, this.registered(metadata), { token, secret, baseUrl });
  }

  /** RFC 7592 §2.1. */
  async read(clientId: string, token: string, baseUrl: string): Promise<ClientInformation> {
    const { client, registration } = await this.authenticate(clientId, token);
    return this.information(client, registration.metadata, { token, baseUrl });
  }

  /**
   * RFC 7592 §2.2: the body replaces the registered metadata. Fields the admin manages and RFC 7591 has
   * no member for (allowed groups, consent and re-authentication flags, token lifetimes) are kept. An
   * omitted `client_name` or `logo_uri` keeps the current name or logo (§2.2 lets the server ignore
   * null and empty values). A client cannot turn from public into confidential or back: register anew.
   */
  async update(clientId: string, token: string, body: unknown, baseUrl: string): Promise<ClientInformation> {
    const { client, registration } = await this.authenticate(clientId, token);
    const metadata = parseClientMetadata(body, this.deps.policy);
    if (metadata.client_id === undefined) throw metadataError('client_id is required in an update');
    if (metadata.client_id !== client.id) throw metadataError('client_id does not match the registration');
    if ((metadata.token_endpoint_auth_method === 'none') !== client.isPublic) {
      throw metadataError('token_endpoint_auth_method cannot switch between public and confidential');
    }
    if (metadata.client_secret !== undefined) {
      if (!(await this.deps.clients.verifySecret(client.id, metadata.client_secret))) {
        throw metadataError('client_secret does not match the current secret');
      }
    }
    const fields = await asRegistrationError(async () =>
      this.deps.clients.checkedFields({
        ...keptFields(client),
        ...this.clientFields(metadata),
        name: metadata.client_name ?? client.name,
      }),
    );
    const logo =
      metadata.logo_uri && metadata.logo_uri !== registration.metadata.logo_uri
        ? await this.fetchLogo(metadata)
        : undefined;
    const kept = {
      ...this.registered(metadata),
      ...(metadata.logo_uri ? {} : { logo_uri: registration.metadata.logo_uri }),
    };
    const updated = await this.deps.database.transaction(async () => {
      const replaced = await asRegistrationError(() => this.deps.clients.replace(client.id, fields));
      await this.deps.registrations.updateMetadata(client.id, kept);
      return replaced;
    });
    const stored = logo && this.deps.logos ? await this.deps.logos.store(updated, 'light', logo) : updated;
    return this.information(stored, kept, { token, baseUrl });
  }

  /** RFC 7592 §2.3: the client goes, with its secrets, tokens, consents and logos. */
  async delete(clientId: string, token: string): Promise<void> {
    await this.authenticate(clientId, token);
    await this.deps.clients.delete(clientId);
  }

  /**
   * The registration access token must be the one issued for this client. An unknown client answers
   * the same 401 as a wrong token (RFC 7592 §2.1), so the endpoint tells nothing about other clients.
   */
  private async authenticate(
    clientId: string,
    token: string,
  ): Promise<{ client: OidcClient; registration: ClientRegistration }> {
    const refused = () =>
      invalidRegistrationToken('The registration access token is invalid for this client');
    // A client id never holds U+0000, and PostgreSQL could not even look one up.
    if (clientId.includes('\0')) throw refused();
    const registration = await this.deps.registrations.find(clientId);
    const stored = registration?.accessTokenHash ?? '';
    if (!registration || !/^[0-9a-f]{64}$/.test(stored)) throw refused();
    if (!timingSafeEqual(hashToken(token), Buffer.from(stored, 'hex'))) throw refused();
    // The registration goes with its client (foreign key), so the client exists; a 404 would be a race.
    const client = await this.deps.clients.find(clientId).catch((error: unknown) => {
      throw error instanceof ProblemError && error.status === 404 ? refused() : error;
    });
    return { client, registration };
  }

  private clientFields(metadata: ClientMetadata): Partial<OidcClientBody> {
    return {
      callbackURLs: metadata.redirect_uris,
      logoutCallbackURLs: metadata.post_logout_redirect_uris,
      launchURL: metadata.client_uri ?? null,
      backchannelLogoutURI: metadata.backchannel_logout_uri ?? null,
    };
  }

  private registered(metadata: ClientMetadata): RegisteredMetadata {
    return {
      grant_types: metadata.grant_types,
      response_types: metadata.response_types,
      token_endpoint_auth_method: metadata.token_endpoint_auth_method,
      ...(metadata.scope ? { scope: metadata.scope } : {}),
      ...(metadata.logo_uri ? { logo_uri: metadata.logo_uri } : {}),
    };
  }

  private async fetchLogo(metadata: ClientMetadata): Promise<LogoImage | undefined> {
    const { logos } = this.deps;
    if (!metadata.logo_uri || !logos) return undefined;
    return asRegistrationError(() => logos.fetch(metadata.logo_uri!, 'logo_uri'));
  }

  private information(
    client: OidcClient,
    metadata: RegisteredMetadata,
    extra: { token: string; secret?: string; baseUrl: string },
  ): ClientInformation {
    // The admin API may have changed the client since; what the client is now is what is shown.
    const method = client.isPublic
      ? 'none'
      : metadata.token_endpoint_auth_method === 'none'
        ? 'client_secret_basic'
        : metadata.token_endpoint_auth_method;
    return {
      client_id: client.id,
      client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
      ...(extra.secret !== undefined ? { client_secret: extra.secret, client_secret_expires_at: 0 } : {}),
      registration_access_token: extra.token,
      registration_client_uri: `${extra.baseUrl}${REGISTRATION_PATH}/${encodeURIComponent(client.id)}`,
      client_name: client.name,
      redirect_uris: client.callbackUrls,
      ...(client.logoutCallbackUrls.length > 0
        ? { post_logout_redirect_uris: client.logoutCallbackUrls }
        : {}),
      grant_types: metadata.grant_types,
      response_types: metadata.response_types,
      token_endpoint_auth_method: method,
      ...(metadata.scope ? { scope: metadata.scope } : {}),
      ...(client.launchUrl ? { client_uri: client.launchUrl } : {}),
      ...(metadata.logo_uri && client.logoType ? { logo_uri: metadata.logo_uri } : {}),
      ...(client.backchannelLogoutUri ? { backchannel_logout_uri: client.backchannelLogoutUri } : {}),
    };
  }
}

const metadataError = (description: string) => new OAuthError('invalid_client_metadata', description);

/** The admin-managed settings of a client, as a create/replace body, so an RFC 7592 update keeps them. */
function keptFields(client: OidcClient): OidcClientBody {
  return {
    name: client.name,
    description: client.description,
    isPublic: client.isPublic,
    pkceEnabled: client.pkceEnabled,
    requiresReauthentication: client.requiresReauthentication,
    requiresPushedAuthorizationRequests: client.requiresPushedAuthorizationRequests,
    skipConsent: client.skipConsent,
    isGroupRestricted: client.isGroupRestricted,
    accessTokenDurationMinutes: client.accessTokenLifetimeMinutes ?? 0,
    refreshTokenDurationMinutes: client.refreshTokenLifetimeMinutes ?? 0,
    idTokenDurationMinutes: client.idTokenLifetimeMinutes ?? 0,
  };
}
