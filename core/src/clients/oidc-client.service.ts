import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { problems, type FieldError } from '../errors/problem.errors.js';
import type { Database } from '../storage/database.port.js';
import { UniqueViolationError } from '../users/user.repository.port.js';
import { checkCallbackUrls } from './checks/callback-url.check.js';
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
const MAX_TOKEN_MINUTES = 525_600;

/** pocket-id-api.md §9: a generated client secret is 32 `[A-Za-z0-9]`, no prefix. */
export function generateClientSecret(): string {
  let secret = '';
  for (let i = 0; i < 32; i++) secret += ALNUM[randomInt(ALNUM.length)];
  return secret;
}

export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
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

  private fields(body: OidcClientBody): OidcClientFields {
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

  async create(body: OidcClientCreateBody, createdById: string | null): Promise<OidcClient> {
    const fields = this.fields(body);
    try {
      return await this.deps.clients.insert({ ...fields, id: body.id ?? randomUUID(), createdById });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw oidcClientProblems.idTaken();
      throw error;
    }
  }

  update(id: string, body: OidcClientBody): Promise<OidcClient> {
    const fields = this.fields(body);
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

  async delete(id: string): Promise<void> {
    if (!(await this.deps.clients.delete(id))) throw oidcClientProblems.notFound();
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
    if (!client || client.isPublic) return false;
    const secrets = (await this.deps.clients.secretsOf([clientId])).get(clientId) ?? [];
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
