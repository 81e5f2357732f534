import { describe, expect, it } from 'vitest';
import type { NewOidcClient, NewOidcClientSecret, OidcClient, OidcClientSecret } from './oidc-client.js';
import type { InsertSecretResult, OidcClientRepository } from './oidc-client.repository.port.js';
import { generateClientSecret, hashClientSecret, OidcClientService } from './oidc-client.service.js';

/** An in-memory stand-in for the parts of the repository the secret use cases touch. */
function memoryClients() {
  const clients = new Map<string, OidcClient>();
  const secrets: OidcClientSecret[] = [];
  const repo: Partial<OidcClientRepository> = {
    async findById(id) {
      return clients.get(id) ?? null;
    },
    async insert(client: NewOidcClient) {
      const full: OidcClient = {
        ...client,
        pkceSupported: false,
        logoType: null,
        darkLogoType: null,
        clientType: 'standard',
        createdAt: new Date(),
        updatedAt: new Date(),
      };
      clients.set(client.id, full);
      return full;
    },
    async secretsOf(ids) {
      const map = new Map<string, OidcClientSecret[]>();
      for (const s of secrets)
        if (ids.includes(s.clientId)) map.set(s.clientId, [...(map.get(s.clientId) ?? []), s]);
      return map;
    },
    async insertSecret(secret: NewOidcClientSecret, max): Promise<InsertSecretResult> {
      if (!clients.has(secret.clientId)) return { status: 'client_not_found' };
      if (secrets.filter((s) => s.clientId === secret.clientId).length >= max)
        return { status: 'limit_reached' };
      const row = { ...secret, createdAt: new Date() };
      secrets.push(row);
      return { status: 'inserted', secret: row };
    },
  };
  return { repo: repo as OidcClientRepository, secrets };
}

const aConfidentialClient = (overrides: Partial<{ id: string; isPublic: boolean }> = {}) => ({
  id: overrides.id ?? 'app',
  name: 'App',
  isPublic: overrides.isPublic ?? false,
  callbackURLs: ['https://app.example.com/cb'],
});

function setup(now = () => new Date()) {
  const { repo, secrets } = memoryClients();
  const service = new OidcClientService({
    clients: repo,
    database: { transaction: (fn) => fn() },
    allowInsecureCallbackUrls: true,
    now,
  });
  return { service, secrets };
}

describe('OidcClientService secrets', () => {
  it('generates 32 alphanumeric characters', () => {
    const values = new Set(Array.from({ length: 50 }, generateClientSecret));
    expect(values.size).toBe(50);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('stores only the SHA-256 hex and a 4-character prefix', async () => {
    const { service, secrets } = setup();
    await service.create(aConfidentialClient(), null);
    const { value, secret } = await service.createSecret('app', {});
    expect(secret.hash).toBe(hashClientSecret(value));
    expect(secret.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.prefix).toBe(value.slice(0, 4));
    expect(JSON.stringify(secrets)).not.toContain(value);
  });

  it('verifySecret accepts any unexpired secret and refuses everything else', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const { service } = setup(() => now);
    await service.create(aConfidentialClient(), null);
    const first = await service.createSecret('app', { secret: 'first-secret-0123456789' });
    const second = await service.createSecret('app', { expiresAt: '2030-01-02T00:00:00Z' });
    expect(await service.verifySecret('app', first.value)).toBe(true);
    expect(await service.verifySecret('app', second.value)).toBe(true);
    expect(await service.verifySecret('app', 'wrong')).toBe(false);
    expect(await service.verifySecret('app', '')).toBe(false);
    expect(await service.verifySecret('other', first.value)).toBe(false);
    now = new Date('2030-01-03T00:00:00Z');
    expect(await service.verifySecret('app', second.value)).toBe(false);
    expect(await service.verifySecret('app', first.value)).toBe(true);
  });

  it('verifySecret ignores bcrypt secrets and public clients', async () => {
    const { service, secrets } = setup();
    await service.create(aConfidentialClient(), null);
    secrets.push({
      id: 'legacy',
      clientId: 'app',
      hash: '$2a$10$abcdefghijklmnopqrstuv',
      alg: 'bcrypt',
      prefix: null,
      createdAt: new Date(),
      expiresAt: null,
    });
    expect(await service.verifySecret('app', 'anything-at-all-123')).toBe(false);
    await service.create(aConfidentialClient({ id: 'spa', isPublic: true }), null);
    secrets.push({
      ...secrets[0]!,
      id: 's',
      clientId: 'spa',
      alg: 'sha256',
      hash: hashClientSecret('x'.repeat(20)),
    });
    expect(await service.verifySecret('spa', 'x'.repeat(20))).toBe(false);
  });

  it('refuses secrets for public clients, past expiries and a 21st secret', async () => {
    const { service } = setup();
    await service.create(aConfidentialClient({ id: 'spa', isPublic: true }), null);
    await expect(service.createSecret('spa', {})).rejects.toMatchObject({
      code: 'oidc_public_client_secret',
    });
    await service.create(aConfidentialClient(), null);
    await expect(service.createSecret('app', { expiresAt: '2000-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    for (let i = 0; i < 20; i++) await service.createSecret('app', {});
    await expect(service.createSecret('app', {})).rejects.toMatchObject({
      status: 400,
      code: 'oidc_client_secret_limit_reached',
    });
    await expect(service.createSecret('nope', {})).rejects.toMatchObject({
      code: 'not_found',
      details: { resource: 'OIDC client' },
    });
  });

  it('forces PKCE on for public clients and validates lifetimes', async () => {
    const { service } = setup();
    const spa = await service.create(
      { ...aConfidentialClient({ id: 'spa', isPublic: true }), pkceEnabled: false },
      null,
    );
    expect(spa.pkceEnabled).toBe(true);
    const plain = await service.create(
      { ...aConfidentialClient({ id: 'web' }), accessTokenDurationMinutes: 0 },
      null,
    );
    expect(plain.accessTokenLifetimeMinutes).toBeNull();
    await expect(
      service.create({ ...aConfidentialClient({ id: 'bad' }), refreshTokenDurationMinutes: 525_601 }, null),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'refreshTokenDurationMinutes', code: 'token_duration' }],
    });
  });
});
