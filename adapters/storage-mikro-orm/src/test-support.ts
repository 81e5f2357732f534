/**
 * Test support: run one suite against both engines, on real databases.
 *
 * `describeEachDialect(name, fn)` declares the suite twice: on a fresh SQLite file in a temporary
 * directory, and on a fresh PostgreSQL database (`lk_<random>`, created on TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, and dropped `WITH (FORCE)` afterwards). When PostgreSQL
 * cannot be reached its half is skipped with a loud warning, unless TEST_REQUIRE_PEERS=1, which fails.
 *
 * Not part of the build (see tsconfig.json): it imports Vitest.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createMikroOrmStorage } from './index.js';
import type { MikroOrmStorage, MikroOrmStorageOptions } from './index.js';
import type { NewOidcClient } from '@latchkey/core';

export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE_PEERS = process.env.TEST_REQUIRE_PEERS === '1';

export type Dialect = 'sqlite' | 'postgresql';

export interface DialectHarness {
  readonly dialect: Dialect;
  /** The fresh database's connection string; set before the suite's own `beforeAll` hooks run. */
  readonly connectionString: string;
  /** Opens a storage on the fresh database (migrated unless `migrate: false`); closed after the suite. */
  open(options?: Omit<MikroOrmStorageOptions, 'connectionString'>): Promise<MikroOrmStorage>;
}

const postgres = await probePostgres();

export function describeEachDialect(name: string, fn: (db: DialectHarness) => void): void {
  describe(`${name} [sqlite]`, () => {
    let dir = '';
    const harness = new Harness('sqlite');
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lk-storage-'));
      harness.connectionString = join(dir, 'latchkey.db');
    });
    afterAll(async () => {
      await harness.closeAll();
      await rm(dir, { recursive: true, force: true });
    });
    fn(harness);
  });

  describe.skipIf(!postgres.ok)(`${name} [postgresql]`, () => {
    const dbName = `lk_${randomBytes(8).toString('hex')}`;
    const harness = new Harness('postgresql');
    beforeAll(async () => {
      await adminExecute(`create database ${dbName}`);
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${dbName}`;
      harness.connectionString = url.toString();
    });
    afterAll(async () => {
      await harness.closeAll();
      await adminExecute(`drop database if exists ${dbName} with (force)`);
    });
    fn(harness);
  });
}

class Harness implements DialectHarness {
  connectionString = '';
  private readonly opened: MikroOrmStorage[] = [];

  constructor(readonly dialect: Dialect) {}

  async open(options: Omit<MikroOrmStorageOptions, 'connectionString'> = {}): Promise<MikroOrmStorage> {
    const storage = await createMikroOrmStorage({
      migrate: true,
      ...options,
      connectionString: this.connectionString,
    });
    this.opened.push(storage);
    return storage;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.database.close()));
  }
}

async function adminExecute(sql: string): Promise<void> {
  const admin = await createMikroOrmStorage({ connectionString: PG_ADMIN_URL });
  try {
    await admin.orm.em.getConnection().execute(sql);
  } finally {
    await admin.database.close();
  }
}

async function probePostgres(): Promise<{ ok: boolean }> {
  try {
    const admin = await createMikroOrmStorage({ connectionString: PG_ADMIN_URL });
    await admin.database.close();
    return { ok: true };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (REQUIRE_PEERS) {
      throw new Error(`TEST_REQUIRE_PEERS=1 and PostgreSQL is unreachable: ${why}`);
    }
    console.warn(
      `\n${'!'.repeat(100)}\n!! SKIPPING the PostgreSQL half of the storage tests: ${why}\n` +
        `!! Start it (pg_ctlcluster <version> main start) or set TEST_DATABASE_URL; CI sets TEST_REQUIRE_PEERS=1.\n` +
        `${'!'.repeat(100)}\n`,
    );
    return { ok: false };
  }
}

/** Inserts a plain user (the factory the repository suites share) and returns its id. */
export async function addUser(
  storage: MikroOrmStorage,
  username: string,
  id: string = randomUUID(),
): Promise<string> {
  const user = await storage.users.insert({
    id,
    username,
    email: null,
    emailVerified: false,
    firstName: '',
    lastName: null,
    displayName: '',
    isAdmin: false,
    locale: null,
    disabled: false,
  });
  return user.id;
}

/** A confidential client row with one https callback (the factory the OIDC repository suites share). */
export const aClient = (id: string, overrides: Partial<NewOidcClient> = {}): NewOidcClient => ({
  id,
  name: id,
  description: null,
  isPublic: false,
  pkceEnabled: false,
  requiresReauthentication: false,
  requiresPushedAuthorizationRequests: false,
  skipConsent: false,
  launchUrl: null,
  callbackUrls: [`https://${id}.example.com/cb`],
  logoutCallbackUrls: [],
  backchannelLogoutUri: null,
  accessTokenLifetimeMinutes: null,
  refreshTokenLifetimeMinutes: null,
  idTokenLifetimeMinutes: null,
  isGroupRestricted: false,
  createdById: null,
  ...overrides,
});
