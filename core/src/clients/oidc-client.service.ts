import { hash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { problems, type FieldError } from '../errors/problem.errors.js';
import type { Database } from '../storage/database.port.js';
import { UniqueViolationError } from '../users/user.repository.port.js';
import { checkCallbackUrls } from './checks/callback-url.check.js';
import type { ClientLogoService, LogoImage, LogoVariant } from './client-logo.service.js';
import {
  MAX_CLIENT_SECRETS,
  type OidcClient,
  type OidcClientFields,
  type OidcClientSecret,
} from './oidc-client.js';
import { oidcClientProblems } from './oidc-client.errors.js';
import type { OidcClientRepository } from './oidc-client.repository.port.js';
import type { CreateSecretBody, OidcClientBody, OidcClientCreateBody } from './oidc-client.schema.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Logos downloaded from a body's URLs, waiting for the client row to exist. */
export type DownloadedLogos = Partial<Record<LogoVariant, LogoImage>>;
const MAX_TOKEN_MINUTES = 525_600;

/** pocket-id-api.md §9: a generated client secret is 32 `[A-Za-z0-9]`, no prefix. */
export function generateClientSecret(): string {
  let secret = '';
  for (let i = 0; i < 32; i++) secret += ALNUM[randomInt(ALNUM.length)];
  return secret;
}

export function hashClientSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** 0 or omitted → null (the default); otherwise 1–525600 (Pocket ID's `token_duration` rule). */
function lifetimes(
  body: OidcClientBody,
): Pick<
  OidcClientFields,
  'accessTokenLifetimeMinutes' | 'refreshTokenLifetimeMinutes' | 'idTokenLifetimeMinutes'
> {
  const errors: FieldError[] = [];
  const read = (field: keyof OidcClientBody): number | null => {
    const value = body[field] as number | undefined;
    if (value === undefined || value === 0) return null;
    if (value < 1 || value > MAX_TOKEN_MINUTES) {
      errors.push({ field, code: 'token_duration', message: 'is invalid' });
    }
    return value;
  };
  const result = {
    accessTokenLifetimeMinutes: read('accessTokenDurationMinutes'),
    refreshTokenLifetimeMinutes: read('refreshTokenDurationMinutes'),
    idTokenLifetimeMinutes: read('idTokenDurationMinutes'),
  };
  if (errors.length > 0) throw problems.validationFailed(errors);
  return result;
}

/**
 * OIDC clients and their secrets (pocket-id-api.md §4.10, §9). A create or update replaces every
 * editable field (an omitted flag is false); public clients always use PKCE and never get secrets.
 */
export class OidcClientService {
  constructor(
    private readonly deps: {
      clients: OidcClientRepository;
      database: Pick<Database, 'transaction'>;
      /** `ALLOW_INSECURE_CALLBACK_URLS` (config.allowInsecureCallbackUrls). */
      allowInsecureCallbackUrls: boolean;
      /** Logos: `logoUrl` / `darkLogoUrl` are downloaded, and a deleted client's logo files removed. */
      logos?: ClientLogoService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async find(id: string): Promise<OidcClient> {
    const client = await this.deps.clients.findById(id);
    if (!client) throw oidcClientProblems.notFound();
    return client;
  }

  /** The checked, normalised fields of a create or replace body (callback URLs, lifetimes). */
  checkedFields(body: OidcClientBody): OidcClientFields {
    const callbackUrls = body.callbackURLs ?? [];
    const logoutCallbackUrls = body.logoutCallbackURLs ?? [];
    const allowInsecure = this.deps.allowInsecureCallbackUrls;
    checkCallbackUrls(callbackUrls, { allowInsecure, field: 'callbackURLs' });
    checkCallbackUrls(logoutCallbackUrls, { allowInsecure, field: 'logoutCallbackURLs' });
    const isPublic = body.isPublic ?? false;
    return {
      name: body.name.normalize('NFC'),
      description: body.description ? body.description.normalize('NFC') : null,
      isPublic,
      // §4.10: PKCE is forced on for public clients.
      pkceEnabled: isPublic || (body.pkceEnabled ?? false),
      requiresReauthentication: body.requiresReauthentication ?? false,
      requiresPushedAuthorizationRequests: body.requiresPushedAuthorizationRequests ?? false,
      skipConsent: body.skipConsent ?? false,
      launchUrl: body.launchURL || null,
      callbackUrls: [...new Set(callbackUrls)],
      logoutCallbackUrls: [...new Set(logoutCallbackUrls)],
      backchannelLogoutUri: body.backchannelLogoutURI || null,
      isGroupRestricted: body.isGroupRestricted ?? false,
      ...lifetimes(body),
    };
  }

  /**
   * Downloads the logos a body names, before anything is written: a URL that fails leaves no half-made
   * client, and no database transaction is held open across the network.
   */
  async downloadLogos(body: Pick<OidcClientBody, 'logoUrl' | 'darkLogoUrl'>): Promise<DownloadedLogos> {
    const logos = this.deps.logos;
    if (!logos) return {};
    const [light, dark] = await Promise.all([
      body.logoUrl ? logos.fetch(body.logoUrl, 'logoUrl') : undefined,
      body.darkLogoUrl ? logos.fetch(body.darkLogoUrl, 'darkLogoUrl') : undefined,
    ]);
    return { light, dark };
  }

  /** Stores logos fetched by {@link downloadLogos} for a client that now exists. */
  async storeLogos(client: OidcClient, downloaded: DownloadedLogos): Promise<OidcClient> {
    let current = client;
    for (const variant of ['light', 'dark'] as const) {
      const image = downloaded[variant];
      if (image && this.deps.logos) current = await this.deps.logos.store(current, variant, image);
    }
    return current;
  }

  async create(body: OidcClientCreateBody, createdById: string | null): Promise<OidcClient> {
    const fields = this.checkedFields(body);
    const logos = await this.downloadLogos(body);
    return this.storeLogos(await this.insert(fields, body.id, createdById), logos);
  }

  /** Inserts a client (a random UUID unless `id` is given); 409 `client_id_already_exists`. */
  async insert(
    fields: OidcClientFields,
    id: string | undefined,
    createdById: string | null,
  ): Promise<OidcClient> {
    try {
      return await this.deps.clients.insert({ ...fields, id: id ?? randomUUID(), createdById });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw oidcClientProblems.idTaken();
      throw error;
    }
  }

  async update(id: string, body: OidcClientBody): Promise<OidcClient> {
    const fields = this.checkedFields(body);
    // An unknown client is a 404 before anything is downloaded for it.
    if (body.logoUrl || body.darkLogoUrl) await this.find(id);
    const logos = await this.downloadLogos(body);
    return this.storeLogos(await this.replace(id, fields), logos);
  }

  /** Replaces a client's editable fields in one transaction; 404 when it does not exist. */
  replace(id: string, fields: OidcClientFields): Promise<OidcClient> {
    return this.deps.database.transaction(async () => {
      const client = await this.deps.clients.update(id, {
        ...fields,
        // §4.10: turning PKCE off also clears the "client sent a challenge" hint.
        ...(fields.pkceEnabled ? {} : { pkceSupported: false }),
      });
      if (!client) throw oidcClientProblems.notFound();
      // §4.10: an unrestricted client keeps no allowed groups.
      if (!fields.isGroupRestricted) await this.deps.clients.setAllowedGroups(id, []);
      return client;
    });
  }

  /** Deletes the client with its secrets, group links and logo files (pocket-id-api.md §4.10). */
  async delete(id: string): Promise<void> {
    const client = await this.find(id);
    if (!(await this.deps.clients.delete(id))) throw oidcClientProblems.notFound();
    await this.deps.logos?.removeFiles(client);
  }

  /** Replaces the allowed groups; unknown group ids are ignored (as for group members). */
  setAllowedGroups(id: string, groupIds: string[]): Promise<OidcClient> {
    return this.deps.database.transaction(async () => {
      const client = await this.find(id);
      await this.deps.clients.setAllowedGroups(id, [...new Set(groupIds)]);
      return client;
    });
  }

  async listSecrets(clientId: string): Promise<OidcClientSecret[]> {
    await this.find(clientId);
    return (await this.deps.clients.secretsOf([clientId])).get(clientId) ?? [];
  }

  /** Creates a secret (generated unless supplied); the clear value is returned once and never stored. */
  async createSecret(
    clientId: string,
    body: CreateSecretBody,
  ): Promise<{ secret: OidcClientSecret; value: string }> {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.now().getTime()) {
      throw problems.validationFailed([
        { field: 'expiresAt', code: 'invalid_expiration', message: 'must be in the future' },
      ]);
    }
    const client = await this.find(clientId);
    if (client.isPublic) throw oidcClientProblems.publicClientSecret();
    const value = body.secret ?? generateClientSecret();
    const result = await this.deps.clients.insertSecret(
      {
        id: randomUUID(),
        clientId,
        hash: hashClientSecret(value),
        alg: 'sha256',
        prefix: value.slice(0, 4),
        expiresAt,
      },
      MAX_CLIENT_SECRETS,
    );
    if (result.status === 'client_not_found') throw oidcClientProblems.notFound();
    if (result.status === 'limit_reached') throw oidcClientProblems.secretLimit();
    return { secret: result.secret, value };
  }

  async deleteSecret(clientId: string, secretId: string): Promise<void> {
    await this.find(clientId);
    if (!(await this.deps.clients.deleteSecret(clientId, secretId)))
      throw oidcClientProblems.secretNotFound();
  }

  /**
   * For client authentication at the token endpoint (pocket-id-api.md §9): true when `secret` matches
   * any unexpired SHA-256 secret of a confidential client. Every candidate is compared in constant
   * time, with no early exit, so the timing tells nothing about which secret (if any) matched.
   * Imported bcrypt secrets are not accepted yet (no bcrypt implementation is bundled).
   */
  async verifySecret(clientId: string, secret: string): Promise<boolean> {
    const client = await this.deps.clients.findById(clientId);
    return client !== null && this.verifyClientSecret(client, secret);
  }

  /** `verifySecret` for a client already read (client authentication reads it first). */
  async verifyClientSecret(client: OidcClient, secret: string): Promise<boolean> {
    if (client.isPublic) return false;
    const secrets = (await this.deps.clients.secretsOf([client.id])).get(client.id) ?? [];
    const presented = Buffer.from(hashClientSecret(secret), 'hex');
    const now = this.now().getTime();
    let matched = false;
    for (const candidate of secrets) {
      if (candidate.alg !== 'sha256' || !/^[0-9a-f]{64}$/i.test(candidate.hash)) continue;
      const equal = timingSafeEqual(presented, Buffer.from(candidate.hash, 'hex'));
      const active = candidate.expiresAt === null || candidate.expiresAt.getTime() > now;
      matched = (equal && active) || matched;
    }
    return matched;
  }
}
