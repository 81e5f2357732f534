/**
 * @latchkey/storage-mikro-orm: core's storage ports on MikroORM 6.6, for SQLite (better-sqlite3) and
 * PostgreSQL. See README.md.
 */
import { resolve } from 'node:path';
import { silentLogger } from '@latchkey/core';
import type {
  Database,
  JobLockRepository,
  KvStore,
  Logger,
  PasskeyCredentialRepository,
  SessionRepository,
  BackchannelLogoutRepository,
  DeviceCodeRepository,
  SigningKeyRepository,
  UserRepository,
  UserGroupRepository,
  CustomClaimRepository,
  AuditLogRepository,
  ApiKeyRepository,
  WebauthnChallengeRepository,
  OneTimeAccessTokenRepository,
  ReauthenticationTokenRepository,
  AppConfigRepository,
  RateLimitStore,
  FileStore,
  SignupTokenRepository,
  OidcClientRepository,
  ClientRegistrationRepository,
  AuthorizationCodeRepository,
  ConsentRepository,
  InteractionRepository,
  PushedAuthorizationRequestRepository,
  AccessTokenRepository,
  RefreshTokenRepository,
  AuthorizedClientRepository,
} from '@latchkey/core';
import { DEFAULT_CONNECTION_STRING, parseConnectionString, redactConnectionString } from './connection.js';
import type { DbProvider } from './connection.js';
import { MikroOrmDatabase } from './mikro-orm-database.js';
import { openOrm } from './orm.js';
import type { LatchkeyOrm } from './orm.js';
import { MikroOrmJobLockRepository } from './repositories/mikro-orm-job-lock.repository.js';
import { MikroOrmKvRepository } from './repositories/mikro-orm-kv.repository.js';
import { MikroOrmPasskeyCredentialRepository } from './repositories/mikro-orm-passkey-credential.repository.js';
import { MikroOrmSessionRepository } from './repositories/mikro-orm-session.repository.js';
import { MikroOrmBackchannelLogoutRepository } from './repositories/mikro-orm-backchannel-logout.repository.js';
import { MikroOrmDeviceCodeRepository } from './repositories/mikro-orm-device-code.repository.js';
import { MikroOrmSigningKeyRepository } from './repositories/mikro-orm-signing-key.repository.js';
import { MikroOrmUserRepository } from './repositories/mikro-orm-user.repository.js';
import { MikroOrmUserGroupRepository } from './repositories/mikro-orm-user-group.repository.js';
import { MikroOrmCustomClaimRepository } from './repositories/mikro-orm-custom-claim.repository.js';
import { MikroOrmAuditLogRepository } from './repositories/mikro-orm-audit-log.repository.js';
import { MikroOrmApiKeyRepository } from './repositories/mikro-orm-api-key.repository.js';
import { MikroOrmWebauthnChallengeRepository } from './repositories/mikro-orm-webauthn-challenge.repository.js';
import { MikroOrmOneTimeAccessTokenRepository } from './repositories/mikro-orm-one-time-access-token.repository.js';
import { MikroOrmReauthenticationTokenRepository } from './repositories/mikro-orm-reauthentication-token.repository.js';
import { MikroOrmAppConfigRepository } from './repositories/mikro-orm-app-config.repository.js';
import { MikroOrmRateLimitStore } from './repositories/mikro-orm-rate-limit.store.js';
import { MikroOrmFileStore } from './repositories/mikro-orm-file-store.js';
import { MikroOrmSignupTokenRepository } from './repositories/mikro-orm-signup-token.repository.js';
import { MikroOrmOidcClientRepository } from './repositories/mikro-orm-oidc-client.repository.js';
import { MikroOrmOidcClientRegistrationRepository } from './repositories/mikro-orm-oidc-client-registration.repository.js';
import { MikroOrmAuthorizationCodeRepository } from './repositories/mikro-orm-authorization-code.repository.js';
import { MikroOrmConsentRepository } from './repositories/mikro-orm-consent.repository.js';
import { MikroOrmInteractionRepository } from './repositories/mikro-orm-interaction.repository.js';
import { MikroOrmParRequestRepository } from './repositories/mikro-orm-par-request.repository.js';
import { MikroOrmAccessTokenRepository } from './repositories/mikro-orm-access-token.repository.js';
import { MikroOrmRefreshTokenRepository } from './repositories/mikro-orm-refresh-token.repository.js';
import { MikroOrmAuthorizedClientRepository } from './repositories/mikro-orm-authorized-client.repository.js';

export {
  DEFAULT_CONNECTION_STRING,
  DEFAULT_SQLITE_PRAGMAS,
  parseConnectionString,
  redactConnectionString,
} from './connection.js';
export type {
  DbProvider,
  ParsedConnectionString,
  PostgresConnectionOptions,
  SqliteConnectionOptions,
} from './connection.js';
export { DB_UNREACHABLE, DatabaseUnreachableError } from './orm.js';
export type { LatchkeyOrm } from './orm.js';

export interface MikroOrmStorageOptions {
  /** `DB_CONNECTION_STRING`; empty or absent means `data/latchkey.db`. */
  connectionString?: string;
  /** Pocket ID v1's `DB_PROVIDER`; must agree with the connection string when given. */
  provider?: DbProvider;
  logger?: Logger;
  /** Apply pending migrations before returning. */
  migrate?: boolean;
  /** Directory a relative SQLite path is resolved against; defaults to the process's working directory. */
  cwd?: string;
}

export interface MikroOrmStorage {
  database: Database;
  kv: KvStore;
  jobLocks: JobLockRepository;
  signingKeys: SigningKeyRepository;
  users: UserRepository;
  userGroups: UserGroupRepository;
  customClaims: CustomClaimRepository;
  auditLogs: AuditLogRepository;
  apiKeys: ApiKeyRepository;
  sessions: SessionRepository;
  backchannelLogouts: BackchannelLogoutRepository;
  deviceCodes: DeviceCodeRepository;
  passkeys: PasskeyCredentialRepository;
  webauthnChallenges: WebauthnChallengeRepository;
  oneTimeAccessTokens: OneTimeAccessTokenRepository;
  reauthenticationTokens: ReauthenticationTokenRepository;
  appConfig: AppConfigRepository;
  rateLimits: RateLimitStore;
  /** The `file_blobs` FileStore; the host uses it when `FILE_BACKEND=database`. */
  files: FileStore;
  signupTokens: SignupTokenRepository;
  oidcClients: OidcClientRepository;
  /** Dynamic client registrations (RFC 7591/7592). */
  clientRegistrations: ClientRegistrationRepository;
  authorizationCodes: AuthorizationCodeRepository;
  consents: ConsentRepository;
  interactions: InteractionRepository;
  pushedAuthorizationRequests: PushedAuthorizationRequestRepository;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
  authorizedClients: AuthorizedClientRepository;
  /** For the repositories this package adds later; nothing outside this package should need it. */
  orm: LatchkeyOrm;
}

/**
 * Opens the database named by `DB_CONNECTION_STRING` and returns core's storage ports on it.
 * Throws `DatabaseUnreachableError` (`code` `LATCHKEY_ERR_DB_UNREACHABLE`) when it cannot connect,
 * and a plain Error naming the variable when the connection string itself is wrong.
 */
export async function createMikroOrmStorage(options: MikroOrmStorageOptions = {}): Promise<MikroOrmStorage> {
  const logger = options.logger ?? silentLogger;
  const connectionString = options.connectionString?.trim() || DEFAULT_CONNECTION_STRING;
  let parsed = parseConnectionString(connectionString, options.provider);
  if (parsed.dialect === 'sqlite' && parsed.path !== ':memory:' && options.cwd) {
    parsed = { ...parsed, path: resolve(options.cwd, parsed.path) };
  }
  const orm = await openOrm(parsed, { logger });
  logger.info(
    { dialect: parsed.dialect, connection: redactConnectionString(connectionString) },
    'database opened',
  );

  const database = new MikroOrmDatabase(orm, parsed.dialect, logger);
  if (options.migrate) {
    try {
      await database.migrate();
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return {
    database,
    kv: new MikroOrmKvRepository(orm),
    jobLocks: new MikroOrmJobLockRepository(orm),
    signingKeys: new MikroOrmSigningKeyRepository(orm),
    users: new MikroOrmUserRepository(orm, parsed.dialect),
    userGroups: new MikroOrmUserGroupRepository(orm),
    customClaims: new MikroOrmCustomClaimRepository(orm),
    auditLogs: new MikroOrmAuditLogRepository(orm, parsed.dialect),
    apiKeys: new MikroOrmApiKeyRepository(orm),
    sessions: new MikroOrmSessionRepository(orm),
    backchannelLogouts: new MikroOrmBackchannelLogoutRepository(orm),
    deviceCodes: new MikroOrmDeviceCodeRepository(orm),
    passkeys: new MikroOrmPasskeyCredentialRepository(orm),
    webauthnChallenges: new MikroOrmWebauthnChallengeRepository(orm),
    oneTimeAccessTokens: new MikroOrmOneTimeAccessTokenRepository(orm),
    reauthenticationTokens: new MikroOrmReauthenticationTokenRepository(orm),
    appConfig: new MikroOrmAppConfigRepository(orm),
    rateLimits: new MikroOrmRateLimitStore(orm, parsed.dialect),
    files: new MikroOrmFileStore(orm),
    signupTokens: new MikroOrmSignupTokenRepository(orm),
    oidcClients: new MikroOrmOidcClientRepository(orm),
    clientRegistrations: new MikroOrmOidcClientRegistrationRepository(orm),
    authorizationCodes: new MikroOrmAuthorizationCodeRepository(orm),
    consents: new MikroOrmConsentRepository(orm),
    interactions: new MikroOrmInteractionRepository(orm),
    pushedAuthorizationRequests: new MikroOrmParRequestRepository(orm),
    accessTokens: new MikroOrmAccessTokenRepository(orm),
    refreshTokens: new MikroOrmRefreshTokenRepository(orm),
    authorizedClients: new MikroOrmAuthorizedClientRepository(orm),
    orm,
  };
}
