/**
 * The signing key set: which key signs, which keys verify, what the JWKS publishes.
 *
 * Unlike Pocket ID (one key, `key-rotate` replaces it with no overlap), a rotation keeps the previous
 * key verifiable and published for `graceMs`, so tokens already issued and relying parties' cached
 * JWKS keep working. Several instances share the key set through the repository: each reloads it
 * periodically and on the first token whose `kid` it does not know, so a key rotated by the CLI is
 * picked up without a restart.
 */
import {
  type JsonWebKey as NodeJwk,
  type KeyObject,
  createPrivateKey,
  sign as cryptoSign,
} from 'node:crypto';
import { errors as joseErrors, importJWK, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyOptions, JWTVerifyResult, JWSHeaderParameters } from 'jose';
import type { Logger } from '../../kernel/logger.js';
import type { KvStore } from '../../storage/kv-store.port.js';
import type { SigningAlg, SigningKeyRepository, StoredSigningKey } from './signing-key.repository.port.js';
import { decryptJwk, deriveJwkKek, encryptJwk } from '../../crypto/encryption.js';
import { KeyDecryptionError } from '../../crypto/crypto.errors.js';
import { ensureInstanceId } from '../../crypto/instance-id.js';
import { BatchSigner } from './batch-signer.js';
import {
  DEFAULT_SIGNING_ALG,
  SIGNING_ALGS,
  generateSigningKey,
  normalizePrivateJwk,
  parseSigningAlg,
  toPublicJwk,
} from './key-generator.js';
import type { PrivateSigningJwk, PublicSigningJwk, SigningCurve } from './key-generator.js';
import { POCKET_ID_KEY_KV_KEY } from './pocket-id-import.js';
import type { LegacyKeySource } from './pocket-id-import.js';
import { SigningKeyStoreError, SigningKeyUnavailableError } from './signing-key.errors.js';

export interface SigningKeyServiceDeps {
  repository: SigningKeyRepository;
  kv: KvStore;
  /** ENCRYPTION_KEY as raw bytes. */
  encryptionKey: Buffer;
  logger: Logger;
  /** How long a replaced key keeps verifying and stays in the JWKS. */
  graceMs: number;
  /** How often the key set is re-read from storage; 0 or less disables the timer. */
  refreshIntervalMs: number;
  now?: () => Date;
  /** Pocket ID v1 key files and the like, imported once when no key exists (see pocket-id-import.ts). */
  legacyKeySources?: LegacyKeySource[];
  /** Floor between reloads caused by an unknown `kid`, so random kids cannot hammer storage. Default 1 s. */
  minReloadIntervalMs?: number;
  /** Nice steps the signing worker threads run below the event loop (`HELPER_THREAD_NICE`); default 0. */
  signerThreadNice?: number;
}

/** What signing needs. */
export interface SigningKeyHandle {
  kid: string;
  alg: SigningAlg;
  /** A node:crypto key (a signing worker may hold a clone of it: batch-signer.ts). */
  privateKey: KeyObject;
}

/** What verifying needs. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlg;
  publicKey: CryptoKey;
  publicJwk: PublicSigningJwk;
}

export interface Jwks {
  keys: PublicSigningJwk[];
}

export interface SignOptions {
  /** The JOSE `typ` header, e.g. `at+jwt` (RFC 9068) or `logout+jwt`. */
  typ?: string;
  /** Lifetime in seconds: `exp` = `iat` + expiresIn. */
  expiresIn?: number;
}

interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  publicKey: CryptoKey;
  publicJwk: PublicSigningJwk;
  retiredAt: Date | null;
  expiresAt: Date | null;
  /** The stored ciphertext this was decrypted from, to skip work on an unchanged key at reload. */
  blob: string;
}

interface KeySet {
  current: LoadedKey | null;
  /** Current first, then the retired keys still in their grace period, newest first. */
  keys: LoadedKey[];
}

const DEFAULT_MIN_RELOAD_INTERVAL_MS = 1000;

function isLive(key: LoadedKey, nowMs: number): boolean {
  return key.expiresAt === null || key.expiresAt.getTime() > nowMs;
}

export class SigningKeyService {
  private readonly repository: SigningKeyRepository;
  private readonly kv: KvStore;
  private readonly logger: Logger;
  private readonly graceMs: number;
  private readonly refreshIntervalMs: number;
  private readonly now: () => Date;
  private readonly legacyKeySources: LegacyKeySource[];
  private readonly minReloadIntervalMs: number;

  private encryptionKey: Buffer;
  private kek: Buffer | null = null;
  private set: KeySet | null = null;
  private decrypted = new Map<string, LoadedKey>();
  private reloading: Promise<void> | null = null;
  private lastOnDemandReloadMs = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setInterval> | null = null;
  private jwksCache: { value: Jwks; validUntilMs: number } | null = null;
  /** Signs off the event loop, a batch per turn (batch-signer.ts says why). */
  private readonly signer: BatchSigner;

  constructor(deps: SigningKeyServiceDeps) {
    this.repository = deps.repository;
    this.kv = deps.kv;
    this.encryptionKey = deps.encryptionKey;
    this.logger = deps.logger.child({ component: 'signing-keys' });
    this.signer = new BatchSigner({ nice: deps.signerThreadNice ?? 0 });
    this.graceMs = deps.graceMs;
    this.refreshIntervalMs = deps.refreshIntervalMs;
    this.now = deps.now ?? (() => new Date());
    this.legacyKeySources = deps.legacyKeySources ?? [];
    this.minReloadIntervalMs = deps.minReloadIntervalMs ?? DEFAULT_MIN_RELOAD_INTERVAL_MS;
  }

  /**
   * Loads and decrypts every usable key. On a fresh store it imports Pocket ID's key if there is one,
   * otherwise it generates an RS256 key. A key that cannot be decrypted stops start-up with a
   * KeyDecryptionError naming it, before anything is written.
   */
  async init(): Promise<void> {
    await this.ensureKek();
    let set = await this.loadSet();
    if (!set.current) {
      await this.createFirstKey();
      set = await this.loadSet();
      if (!set.current)
        throw new SigningKeyStoreError('No current signing key in storage right after creating one');
    }
    this.install(set);
  }

  /** Starts the periodic reload (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.timer || this.refreshIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.reloadQuietly('periodic'), this.refreshIntervalMs);
    this.timer.unref();
  }

  /** Stops the periodic reload and the signing worker (signatures still pending fail). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.signer.close();
  }

  /** The key to sign with. */
  currentKey(): SigningKeyHandle {
    const current = this.set?.current;
    if (!current) throw new SigningKeyUnavailableError();
    return { kid: current.kid, alg: current.alg, privateKey: current.privateKey };
  }

  /** The public JWKS: the current key first, then replaced keys still in their grace period. */
  jwks(): Jwks {
    const nowMs = this.now().getTime();
    if (this.jwksCache && nowMs < this.jwksCache.validUntilMs) return this.jwksCache.value;
    if (!this.set) throw new SigningKeyUnavailableError();
    const live = this.set.keys.filter((k) => isLive(k, nowMs));
    const value: Jwks = Object.freeze({
      keys: Object.freeze(live.map((k) => k.publicJwk)) as PublicSigningJwk[],
    });
    const expiries = live.flatMap((k) => (k.expiresAt ? [k.expiresAt.getTime()] : []));
    this.jwksCache = {
      value,
      validUntilMs: expiries.length > 0 ? Math.min(...expiries) : Number.POSITIVE_INFINITY,
    };
    return value;
  }

  /**
   * The public key for `kid`, or null. An unknown kid triggers one reload (at most one per
   * `minReloadIntervalMs`), which is how a key rotated elsewhere becomes known here.
   */
  async getVerificationKey(kid: string): Promise<VerificationKey | null> {
    const found = this.findLive(kid);
    if (found || this.set?.keys.some((k) => k.kid === kid)) return found;
    if (this.reloading) {
      await this.reloading.catch(() => undefined);
    } else {
      const nowMs = this.now().getTime();
      if (nowMs - this.lastOnDemandReloadMs < this.minReloadIntervalMs) return null;
      this.lastOnDemandReloadMs = nowMs;
      await this.reloadQuietly('unknown kid');
    }
    return this.findLive(kid);
  }

  /** Signs `payload` with the current key; sets `iat` (unless given) and `exp` when `expiresIn` is. */
  async sign(payload: JWTPayload, options: SignOptions = {}): Promise<string> {
    const key = this.currentKey();
    const iat = typeof payload.iat === 'number' ? payload.iat : Math.floor(this.now().getTime() / 1000);
    const claims: JWTPayload = { ...payload, iat };
    if (options.expiresIn !== undefined) claims.exp = iat + options.expiresIn;
    const header = { alg: key.alg, kid: key.kid, ...(options.typ ? { typ: options.typ } : {}) };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = BATCHED.has(key.alg)
      ? await this.signer.sign(input, DIGEST[key.alg], key.kid, key.privateKey)
      : await signOnPool(input, DIGEST[key.alg], key.privateKey);
    return `${input}.${signature}`;
  }

  /** Verifies a JWT signed by one of our live keys; claims are checked against the injected clock. */
  async verify(jwt: string, options: JWTVerifyOptions = {}): Promise<JWTVerifyResult> {
    return jwtVerify(jwt, (header: JWSHeaderParameters) => this.resolveKey(header), {
      algorithms: [...SIGNING_ALGS],
      currentDate: this.now(),
      ...options,
    });
  }

  /** Generates a key, makes it current, and keeps the previous one for the grace period. Returns its kid. */
  async rotate(alg: SigningAlg, crv?: SigningCurve): Promise<string> {
    parseSigningAlg(alg, crv);
    await this.ensureKek();
    if (!this.set) {
      // Proves ENCRYPTION_KEY opens the existing keys before a key is added under it, and lets a
      // never-started Pocket ID database keep its key through the grace period.
      const existing = await this.loadSet();
      if (!existing.current) await this.importPocketIdKey();
    }
    const jwk = await generateSigningKey(alg, crv);
    await this.store(jwk);
    this.logger.info({ kid: jwk.kid, alg, graceMs: this.graceMs }, 'signing key rotated');
    await this.pruneExpired();
    await this.reload();
    return jwk.kid;
  }

  /** Re-reads the key set from storage now; throws what loading throws (the old set stays in use). */
  reload(): Promise<void> {
    if (!this.reloading) {
      this.reloading = (async () => {
        await this.ensureKek();
        const set = await this.loadSet();
        if (!set.current)
          throw new SigningKeyStoreError('Storage holds no current signing key; keeping the loaded set');
        this.install(set);
      })().finally(() => {
        this.reloading = null;
      });
    }
    return this.reloading;
  }

  /** Deletes keys past their grace period. Returns how many. */
  async pruneExpired(): Promise<number> {
    const deleted = await this.repository.deleteExpired(this.now());
    if (deleted > 0) this.logger.info({ deleted }, 'expired signing keys deleted');
    return deleted;
  }

  /**
   * Re-encrypts every stored key (expired ones included) under a new ENCRYPTION_KEY, in one repository
   * call; used by `latchkey encryption-key-rotate`. Nothing is written unless every key decrypts with
   * the current key. Afterwards this service uses the new key. Returns how many keys were re-encrypted.
   */
  async reencryptAll(newEncryptionKey: Buffer): Promise<number> {
    const instanceId = await ensureInstanceId(this.kv);
    const oldKek = deriveJwkKek(this.encryptionKey, instanceId);
    const newKek = deriveJwkKek(newEncryptionKey, instanceId);
    const updates = (await this.repository.listAll()).map((key) => ({
      kid: key.kid,
      encryptedPrivateJwk: encryptJwk(newKek, this.decryptStored(oldKek, key)),
    }));
    if (updates.length > 0) await this.repository.reencrypt(updates);
    this.encryptionKey = newEncryptionKey;
    this.kek = newKek;
    this.decrypted.clear();
    this.logger.info({ keys: updates.length }, 'signing keys re-encrypted under the new ENCRYPTION_KEY');
    if (this.set) await this.reload();
    return updates.length;
  }

  /**
   * When no signing key exists yet, imports Pocket ID's: the kv row `jwt_private_key.json` (v2), else
   * the first legacy source that has one (v1 key file). The original stays untouched. Returns the
   * imported kid, or null when there was nothing to import.
   */
  async importPocketIdKey(): Promise<string | null> {
    const kek = await this.ensureKek();
    if ((await this.repository.listAll()).length > 0) return null;

    let jwk: PrivateSigningJwk | null = null;
    let source = '';
    const blob = await this.kv.get(POCKET_ID_KEY_KV_KEY);
    if (blob) {
      source = `Pocket ID signing key (kv "${POCKET_ID_KEY_KV_KEY}")`;
      let json: string;
      try {
        json = decryptJwk(kek, blob);
      } catch (err) {
        throw err instanceof KeyDecryptionError ? err.about({ subject: source }) : err;
      }
      try {
        jwk = await normalizePrivateJwk(JSON.parse(json));
      } catch (cause) {
        throw new KeyDecryptionError('corrupt', {
          subject: source,
          detail: `not a private JWK: ${message(cause)}`,
          cause,
        });
      }
    } else {
      for (const legacy of this.legacyKeySources) {
        const json = await legacy.read();
        if (json === null) {
          const unsupported = await legacy.unsupported?.();
          if (unsupported) this.logger.warn({ source: legacy.description }, unsupported);
          continue;
        }
        source = legacy.description;
        try {
          jwk = await normalizePrivateJwk(JSON.parse(json));
        } catch (cause) {
          throw new SigningKeyStoreError(`${source} is not a usable private JWK: ${message(cause)}`, {
            cause,
          });
        }
        break;
      }
    }
    if (!jwk) return null;

    await this.store(jwk);
    this.logger.info({ kid: jwk.kid, alg: jwk.alg, source }, 'Pocket ID signing key imported');
    if (this.set) await this.reload();
    return jwk.kid;
  }

  private async resolveKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (typeof header.kid !== 'string')
      throw new joseErrors.JWKSNoMatchingKey('the token has no "kid" header');
    const key = await this.getVerificationKey(header.kid);
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    if (header.alg !== key.alg)
      throw new joseErrors.JOSEAlgNotAllowed(`key ${key.kid} is for ${key.alg}, not ${header.alg}`);
    return key.publicKey;
  }

  private findLive(kid: string): VerificationKey | null {
    const key = this.set?.keys.find((k) => k.kid === kid);
    if (!key || !isLive(key, this.now().getTime())) return null;
    return { kid: key.kid, alg: key.alg, publicKey: key.publicKey, publicJwk: key.publicJwk };
  }

  private async reloadQuietly(reason: string): Promise<void> {
    try {
      await this.reload();
    } catch (err) {
      this.logger.error({ err, reason }, 'reloading the signing keys failed; keeping the loaded set');
    }
  }

  private async ensureKek(): Promise<Buffer> {
    if (!this.kek) this.kek = deriveJwkKek(this.encryptionKey, await ensureInstanceId(this.kv));
    return this.kek;
  }

  /**
   * Fresh store: import Pocket ID's key or generate one. Two instances starting together may both get
   * here; both keys then land, the later becomes current and the earlier stays verifiable for the grace
   * period, which is harmless. If our write fails because another instance wrote first (e.g. both
   * imported the same kid), the other instance's key is used.
   */
  private async createFirstKey(): Promise<void> {
    try {
      if (await this.importPocketIdKey()) return;
      const jwk = await generateSigningKey(DEFAULT_SIGNING_ALG);
      await this.store(jwk);
      this.logger.info({ kid: jwk.kid, alg: jwk.alg }, 'signing key generated');
    } catch (err) {
      if (err instanceof KeyDecryptionError || err instanceof SigningKeyStoreError) throw err;
      const set = await this.loadSet();
      if (!set.current) throw err;
      this.logger.warn({ err }, 'another instance created the first signing key; using it');
    }
  }

  private async store(jwk: PrivateSigningJwk): Promise<void> {
    const kek = await this.ensureKek();
    const now = this.now();
    const stored: StoredSigningKey = {
      kid: jwk.kid,
      alg: jwk.alg,
      encryptedPrivateJwk: encryptJwk(kek, JSON.stringify(jwk)),
      publicJwk: JSON.stringify(toPublicJwk(jwk)),
      createdAt: now,
      retiredAt: null,
      expiresAt: null,
    };
    await this.repository.rotate(stored, new Date(now.getTime() + this.graceMs));
  }

  private async loadSet(): Promise<KeySet> {
    const kek = await this.ensureKek();
    const keys: LoadedKey[] = [];
    for (const stored of await this.repository.listUsable(this.now())) {
      keys.push(await this.loadKey(kek, stored));
    }
    const current = keys.find((k) => k.retiredAt === null) ?? null;
    return { current, keys: current ? [current, ...keys.filter((k) => k !== current)] : keys };
  }

  private async loadKey(kek: Buffer, stored: StoredSigningKey): Promise<LoadedKey> {
    const cached = this.decrypted.get(stored.kid);
    if (cached && cached.blob === stored.encryptedPrivateJwk && cached.alg === stored.alg) {
      return { ...cached, retiredAt: stored.retiredAt, expiresAt: stored.expiresAt };
    }
    const json = this.decryptStored(kek, stored);
    let jwk: PrivateSigningJwk;
    try {
      jwk = await normalizePrivateJwk(JSON.parse(json));
    } catch (cause) {
      throw new KeyDecryptionError('corrupt', {
        kid: stored.kid,
        detail: `not a private JWK: ${message(cause)}`,
        cause,
      });
    }
    if (jwk.kid !== stored.kid || jwk.alg !== stored.alg) {
      throw new KeyDecryptionError('corrupt', {
        kid: stored.kid,
        detail: `the decrypted key is ${jwk.kid} (${jwk.alg}), the record says ${stored.kid} (${stored.alg})`,
      });
    }
    const publicJwk = Object.freeze(toPublicJwk(jwk));
    const loaded: LoadedKey = {
      kid: stored.kid,
      alg: stored.alg,
      privateKey: createPrivateKey({ key: jwk as unknown as NodeJwk, format: 'jwk' }),
      publicKey: (await importJWK(publicJwk, jwk.alg)) as CryptoKey,
      publicJwk,
      retiredAt: stored.retiredAt,
      expiresAt: stored.expiresAt,
      blob: stored.encryptedPrivateJwk,
    };
    return loaded;
  }

  private decryptStored(kek: Buffer, stored: StoredSigningKey): string {
    try {
      return decryptJwk(kek, stored.encryptedPrivateJwk);
    } catch (err) {
      throw err instanceof KeyDecryptionError ? err.about({ kid: stored.kid }) : err;
    }
  }

  private install(set: KeySet): void {
    this.set = set;
    this.jwksCache = null;
    this.decrypted = new Map(set.keys.map((k) => [k.kid, k]));
  }
}

/** The digest each JWS algorithm signs over (RFC 7518 §3.1); EdDSA hashes internally (null). */
const DIGEST: Record<SigningAlg, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
};

/**
 * The algorithms whose signatures go to the batching worker (batch-signer.ts): ES256 and EdDSA cost
 * 40–50 µs here, less than handing each to libuv's pool. RSA (about 360 µs for 2,048 bits), ES384 (0.9
 * ms) and ES512 (2.4 ms) are signed one by one on the pool, whose four threads start each as soon as it
 * is asked for: batched, a request's signature would wait for every one before it in its batch, and the
 * grants benchmark's RS256 refresh fell from 1.0 to 0.7 of node-oidc-provider's (docs/benchmarks.md).
 */
const BATCHED: ReadonlySet<SigningAlg> = new Set<SigningAlg>(['ES256', 'EdDSA']);

/** One signature on libuv's thread pool (node:crypto's callback form). */
function signOnPool(input: string, digest: string | null, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    cryptoSign(digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, (error, signature) =>
      error ? reject(error) : resolve(signature.toString('base64url')),
    );
  });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
