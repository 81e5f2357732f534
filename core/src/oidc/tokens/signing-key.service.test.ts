import { createCipheriv, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../kernel/logger.js';
import type { Logger } from '../../kernel/logger.js';
import { KeyDecryptionError } from '../../crypto/crypto.errors.js';
import { deriveJwkKek, encryptJwk } from '../../crypto/encryption.js';
import { FileSigningKeyRepository } from './file-signing-key.repository.js';
import { SIGNING_ALGS, generateSigningKey, toPublicJwk } from './key-generator.js';
import { SigningKeyService } from './signing-key.service.js';
import type { SigningKeyServiceDeps } from './signing-key.service.js';
import { SigningKeyUnavailableError } from './signing-key.errors.js';
import { InMemoryKvStore, ManualClock, aTempDir, anEncryptionKey } from './test-support.js';

const GRACE_MS = 24 * 3600 * 1000;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const INSTANCE_ID = '0b0e9d7c-6d4e-4c43-9a53-2f6a1d7d5c11';

let dir: string;
let cleanup: () => Promise<void>;
let kv: InMemoryKvStore;
let clock: ManualClock;
const started: SigningKeyService[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await aTempDir());
  kv = new InMemoryKvStore();
  clock = new ManualClock();
});
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
  await cleanup();
});

/** A service as a separate process would build it: its own repository object on the shared folder. */
function aService(overrides: Partial<SigningKeyServiceDeps> = {}): SigningKeyService {
  return new SigningKeyService({
    repository: new FileSigningKeyRepository(dir),
    kv,
    encryptionKey: anEncryptionKey(),
    logger: silentLogger,
    graceMs: GRACE_MS,
    refreshIntervalMs: 0,
    now: clock.now,
    ...overrides,
  });
}

async function snapshotFiles(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) files.set(name, await readFile(join(dir, name)));
  return files;
}

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    ...silentLogger,
    warnings,
    warn(obj: object | string, msg?: string) {
      warnings.push(typeof obj === 'string' ? obj : (msg ?? ''));
    },
    child: () => logger,
  };
  return logger;
}

describe('first start', () => {
  it('creates the instance id and an RS256 key; the JWKS has one RSA key without private members', async () => {
    const service = aService();
    await service.init();

    expect(await kv.get('instance_id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const { keys } = service.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: service.currentKey().kid });
    expect(typeof keys[0]!.n).toBe('string');
    for (const m of PRIVATE_MEMBERS) expect(keys[0]).not.toHaveProperty(m);
    expect(Buffer.from(keys[0]!.n!, 'base64url')).toHaveLength(256);

    // At rest the private key is encrypted: no private member appears in the file.
    const [file] = [...(await snapshotFiles()).values()];
    expect(file!.toString()).not.toMatch(/"d"|"dp"|"qi"/);
  });

  it('a second start loads the same key instead of generating one', async () => {
    const first = aService();
    await first.init();
    const second = aService();
    await second.init();
    expect(second.currentKey().kid).toBe(first.currentKey().kid);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('two instances starting together on an empty store end up agreeing on the current key', async () => {
    const a = aService();
    const b = aService();
    await Promise.all([a.init(), b.init()]);
    await Promise.all([a.reload(), b.reload()]);
    expect(a.currentKey().kid).toBe(b.currentKey().kid);
    // Whatever the loser signed with stays verifiable.
    expect(a.jwks().keys.map((k) => k.kid)).toEqual(b.jwks().keys.map((k) => k.kid));
  });

  it('using the key set before init() is a typed wiring error', () => {
    const service = aService();
    expect(() => service.currentKey()).toThrow(SigningKeyUnavailableError);
    expect(() => service.jwks()).toThrow(SigningKeyUnavailableError);
  });
});

describe('algorithms', () => {
  it.each(SIGNING_ALGS)('%s: rotate, sign, verify, publish', async (alg) => {
    const service = aService();
    await service.init();
    const kid = await service.rotate(alg);

    const token = await service.sign({ sub: 'u1', aud: 'client' }, { typ: 'JWT', expiresIn: 60 });
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid, typ: 'JWT' });
    const { payload } = await service.verify(token, { audience: 'client' });
    expect(payload).toMatchObject({
      sub: 'u1',
      iat: clock.now().getTime() / 1000,
      exp: clock.now().getTime() / 1000 + 60,
    });

    const published = service.jwks().keys[0]!;
    expect(published).toMatchObject({ kid, alg, use: 'sig' });
    for (const m of PRIVATE_MEMBERS) expect(published).not.toHaveProperty(m);
    // A relying party verifying with the published JWK alone.
    await expect(
      jwtVerify(token, await importJWK(published, alg), { currentDate: clock.now() }),
    ).resolves.toBeTruthy();
  });

  it('EdDSA publishes an Ed25519 OKP key', async () => {
    const service = aService();
    await service.init();
    await service.rotate('EdDSA', 'Ed25519');
    expect(service.jwks().keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });

  it('verify rejects an expired token against the injected clock', async () => {
    const service = aService();
    await service.init();
    const token = await service.sign({ sub: 'u1' }, { expiresIn: 60 });
    clock.advance(61_000);
    await expect(service.verify(token)).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });
});

describe('rotation', () => {
  it('keeps the previous public key verifiable and published until the grace period ends', async () => {
    const service = aService();
    await service.init();
    const oldKid = service.currentKey().kid;
    const oldToken = await service.sign({ sub: 'before' });

    clock.advance(1000);
    const newKid = await service.rotate('ES256');
    expect(service.currentKey().kid).toBe(newKid);
    expect(service.jwks().keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    await expect(service.verify(oldToken)).resolves.toMatchObject({ payload: { sub: 'before' } });
    expect(decodeProtectedHeader(await service.sign({ sub: 'after' })).kid).toBe(newKid);

    clock.advance(GRACE_MS - 1);
    expect(service.jwks().keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

    clock.advance(1);
    expect(service.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
    expect(await service.getVerificationKey(oldKid)).toBeNull();
    await expect(service.verify(oldToken)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
  });

  it('deletes keys whose grace period is over at the next rotation', async () => {
    const service = aService();
    await service.init();
    await service.rotate('ES256');
    clock.advance(GRACE_MS + 1);
    await service.rotate('ES384');
    // The first key (expired) is gone; the second (just retired) stays.
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('rejects an unsupported algorithm before writing anything', async () => {
    const service = aService();
    await service.init();
    const before = await snapshotFiles();
    await expect(service.rotate('HS256' as never)).rejects.toMatchObject({
      code: 'LATCHKEY_ERR_SIGNING_ALG',
    });
    expect(await snapshotFiles()).toEqual(before);
  });
});

describe('several instances sharing the key store', () => {
  it('an unknown kid makes the other instance reload, at most once per second', async () => {
    const server = aService();
    await server.init();
    const cli = aService();
    await cli.init();
    const listUsable = vi.spyOn(FileSigningKeyRepository.prototype, 'listUsable');

    const newKid = await cli.rotate('EdDSA');
    const token = await cli.sign({ sub: 'u1' });
    expect(server.jwks().keys.map((k) => k.kid)).not.toContain(newKid);

    listUsable.mockClear();
    await expect(server.verify(token)).resolves.toMatchObject({ payload: { sub: 'u1' } });
    expect(listUsable).toHaveBeenCalledTimes(1);
    expect(server.currentKey().kid).toBe(newKid);
    expect(server.jwks().keys[0]!.kid).toBe(newKid);

    // Random kids cannot make it hammer the store.
    expect(await server.getVerificationKey('unknown-1')).toBeNull();
    expect(await server.getVerificationKey('unknown-2')).toBeNull();
    expect(listUsable).toHaveBeenCalledTimes(1);
    clock.advance(1000);
    expect(await server.getVerificationKey('unknown-3')).toBeNull();
    expect(listUsable).toHaveBeenCalledTimes(2);
    listUsable.mockRestore();
  });

  it('the periodic reload picks up a rotation without any request', async () => {
    const server = aService({ refreshIntervalMs: 10 });
    await server.init();
    server.start();
    started.push(server);
    const cli = aService();
    await cli.init();

    const newKid = await cli.rotate('ES512');
    await vi.waitFor(() => expect(server.currentKey().kid).toBe(newKid), { timeout: 5000, interval: 10 });
    expect(server.jwks().keys.map((k) => k.kid)[0]).toBe(newKid);
  });

  it('a failed reload keeps the loaded set and is logged', async () => {
    const logger = { ...silentLogger, error: vi.fn(), child: () => logger };
    const server = aService({ logger });
    await server.init();
    const kid = server.currentKey().kid;
    // A key lands that was encrypted under another ENCRYPTION_KEY: this server cannot open it.
    const foreign = await generateSigningKey('ES256');
    const otherKek = deriveJwkKek(anEncryptionKey('z'), (await kv.get('instance_id'))!);
    await new FileSigningKeyRepository(dir).rotate(
      {
        kid: foreign.kid,
        alg: foreign.alg,
        encryptedPrivateJwk: encryptJwk(otherKek, JSON.stringify(foreign)),
        publicJwk: JSON.stringify(toPublicJwk(foreign)),
        createdAt: clock.now(),
        retiredAt: null,
        expiresAt: null,
      },
      new Date(clock.now().getTime() + GRACE_MS),
    );

    expect(await server.getVerificationKey(foreign.kid)).toBeNull();
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(String(logger.error.mock.calls[0]?.[0]?.err)).toContain(foreign.kid);
    expect(server.currentKey().kid).toBe(kid);
    await expect(server.verify(await server.sign({ sub: 'still-works' }))).resolves.toBeTruthy();
  });
});

describe('a wrong or damaged key store', () => {
  it('a wrong ENCRYPTION_KEY stops start-up with a typed error naming the kid, and changes nothing', async () => {
    const service = aService();
    await service.init();
    const kid = service.currentKey().kid;
    const files = await snapshotFiles();
    const kvBefore = new Map(kv.data);

    const wrong = aService({ encryptionKey: anEncryptionKey('w') });
    const err = await thrownBy(wrong.init());
    expect(err).toBeInstanceOf(KeyDecryptionError);
    expect(err).toMatchObject({ code: 'LATCHKEY_ERR_KEY_DECRYPT', problem: 'wrong_key', kid });
    expect((err as Error).message).toContain(`signing key "${kid}"`);
    expect((err as Error).message).toMatch(/ENCRYPTION_KEY/);

    await expect(wrong.rotate('RS256')).rejects.toBeInstanceOf(KeyDecryptionError);
    expect(await snapshotFiles()).toEqual(files);
    expect(kv.data).toEqual(kvBefore);
  });

  it('a corrupt stored key stops start-up with a typed error naming the kid', async () => {
    const service = aService();
    await service.init();
    const kid = service.currentKey().kid;
    const [name] = await readdir(dir);
    const file = join(dir, name!);
    const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...record, encryptedPrivateJwk: 'this is not base64!' }));
    const damaged = await readFile(file);

    const err = await thrownBy(aService().init());
    expect(err).toMatchObject({ code: 'LATCHKEY_ERR_KEY_DECRYPT', problem: 'corrupt', kid });
    expect((err as Error).message).toContain(kid);
    expect((err as Error).message).toMatch(/not valid base64/);
    expect(await readFile(file)).toEqual(damaged);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('a blob that decrypts to something other than a private JWK is corrupt', async () => {
    const service = aService();
    await service.init();
    const kid = service.currentKey().kid;
    const [name] = await readdir(dir);
    const file = join(dir, name!);
    const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const kek = deriveJwkKek(anEncryptionKey(), (await kv.get('instance_id'))!);
    await writeFile(
      file,
      JSON.stringify({ ...record, encryptedPrivateJwk: encryptJwk(kek, '{"kty":"RSA"}') }),
    );
    await expect(aService().init()).rejects.toMatchObject({ problem: 'corrupt', kid });
  });
});

describe('encryption-key rotation', () => {
  it('re-encrypts every key; the new key opens them, the old one no longer does', async () => {
    const oldKey = anEncryptionKey('o');
    const newKey = anEncryptionKey('n');
    const service = aService({ encryptionKey: oldKey });
    await service.init();
    const firstKid = service.currentKey().kid;
    const secondKid = await service.rotate('ES256');
    const token = await service.sign({ sub: 'u1' });

    expect(await service.reencryptAll(newKey)).toBe(2);
    // The service itself carries on with the new key.
    await service.reload();
    await expect(service.verify(token)).resolves.toBeTruthy();

    const withNew = aService({ encryptionKey: newKey });
    await withNew.init();
    expect(withNew.currentKey().kid).toBe(secondKid);
    expect(withNew.jwks().keys.map((k) => k.kid)).toEqual([secondKid, firstKid]);
    await expect(withNew.verify(token)).resolves.toBeTruthy();

    await expect(aService({ encryptionKey: oldKey }).init()).rejects.toMatchObject({ problem: 'wrong_key' });
  });

  it('writes nothing when a key does not open with the current ENCRYPTION_KEY', async () => {
    await aService().init();
    const files = await snapshotFiles();
    await expect(
      aService({ encryptionKey: anEncryptionKey('w') }).reencryptAll(anEncryptionKey('n')),
    ).rejects.toBeInstanceOf(KeyDecryptionError);
    expect(await snapshotFiles()).toEqual(files);
  });
});

describe('taking over a Pocket ID installation', () => {
  /** Pocket ID v2's kv row, built by hand: HMAC-SHA3-256 KEK, AES-256-GCM, nonce ‖ ciphertext ‖ tag. */
  function pocketIdBlob(jwk: object, encryptionKey: Buffer, instanceId: string): string {
    const kek = createHmac('sha3-256', encryptionKey).update(`pocketid/${instanceId}/jwk-kek`).digest();
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64');
  }

  function aPocketIdJwk(): Record<string, unknown> {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    return { ...jwk, kid: 'pocket-id-kid', use: 'sig', alg: 'RS256' };
  }

  it("imports the v2 kv key as the current key, keeping its kid, so Pocket ID's tokens still verify", async () => {
    const jwk = aPocketIdJwk();
    await kv.set('instance_id', INSTANCE_ID);
    const blob = pocketIdBlob(jwk, anEncryptionKey(), INSTANCE_ID);
    await kv.set('jwt_private_key.json', blob);
    const issuedByPocketId = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'pocket-id-kid' })
      .sign(await importJWK(jwk as never, 'RS256'));

    const service = aService();
    await service.init();
    expect(service.currentKey()).toMatchObject({ kid: 'pocket-id-kid', alg: 'RS256' });
    expect(service.jwks().keys).toEqual([
      { kty: 'RSA', kid: 'pocket-id-kid', use: 'sig', alg: 'RS256', n: jwk.n, e: jwk.e },
    ]);
    await expect(service.verify(issuedByPocketId)).resolves.toMatchObject({ payload: { sub: 'u1' } });
    expect(await kv.get('jwt_private_key.json')).toBe(blob);
    expect(await kv.get('instance_id')).toBe(INSTANCE_ID);

    // Once a key exists the kv row is no longer consulted.
    expect(await service.importPocketIdKey()).toBeNull();
  });

  it('a Pocket ID key under another ENCRYPTION_KEY stops start-up and nothing is generated', async () => {
    await kv.set('instance_id', INSTANCE_ID);
    await kv.set('jwt_private_key.json', pocketIdBlob(aPocketIdJwk(), anEncryptionKey('p'), INSTANCE_ID));
    const err = await thrownBy(aService().init());
    expect(err).toMatchObject({ code: 'LATCHKEY_ERR_KEY_DECRYPT', problem: 'wrong_key' });
    expect((err as Error).message).toContain('kv "jwt_private_key.json"');
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  it('key-rotate on a never-started Pocket ID database imports the old key first, so it keeps its grace period', async () => {
    await kv.set('instance_id', INSTANCE_ID);
    await kv.set('jwt_private_key.json', pocketIdBlob(aPocketIdJwk(), anEncryptionKey(), INSTANCE_ID));
    const cli = aService();
    const newKid = await cli.rotate('EdDSA');
    expect(cli.jwks().keys.map((k) => k.kid)).toEqual([newKid, 'pocket-id-kid']);
  });

  it("imports Pocket ID v1's clear-text key file from KEYS_PATH and leaves the file untouched", async () => {
    const repository = new FileSigningKeyRepository(dir);
    const {
      kid: _kid,
      alg: _alg,
      ...v1Jwk
    } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'jwk',
    }) as Record<string, unknown>;
    const original = `${JSON.stringify({ ...v1Jwk, kid: 'v1-kid', use: 'sig' })}\n`;
    await writeFile(join(dir, 'jwt_private_key.json'), original, { mode: 0o600 });

    const service = aService({ repository, legacyKeySources: [repository.legacyKeySource()] });
    await service.init();
    expect(service.currentKey()).toMatchObject({ kid: 'v1-kid', alg: 'ES256' });
    expect(await readFile(join(dir, 'jwt_private_key.json'), 'utf8')).toBe(original);

    const ours = (await readdir(dir)).filter((n) => n.startsWith('signing-key.'));
    expect(ours).toHaveLength(1);
    expect(await readFile(join(dir, ours[0]!), 'utf8')).not.toContain(String(v1Jwk.d));
  });

  it('warns about a v1 encrypted key file it cannot read, then generates a key', async () => {
    const repository = new FileSigningKeyRepository(dir);
    await writeFile(join(dir, 'jwt_private_key.json.enc'), 'c29tZXRoaW5n');
    const logger = recordingLogger();
    const service = aService({ repository, logger, legacyKeySources: [repository.legacyKeySource()] });
    await service.init();
    expect(logger.warnings.join('\n')).toMatch(/jwt_private_key\.json\.enc.*cannot be imported/);
    expect(service.currentKey().alg).toBe('RS256');
  });
});
