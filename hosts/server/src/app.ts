import {
  StaticApiKeyAuthenticator,
  MemoryRateLimitStore,
  RateLimiter,
  openApiRoutes,
  ReauthenticationService,
  OneTimeAccessService,
  oneTimeAccessRoutes,
  createAuthenticator,
  AuditService,
  auditRoutes,
  auditLogRetentionJob,
  localNetworkIpLocator,
  ApiKeyService,
  apiKeyRoutes,
  AppConfigService,
  appConfigRoutes,
  SessionService,
  setupRoutes,
  SignupService,
  signupRoutes,
  userRoutes,
  profilePictureRoutes,
  ProfilePictureService,
  FilesystemFileStore,
  SharpImageProcessor,
  UserService,
  UserGroupService,
  OidcClientService,
  oidcClientRoutes,
  userGroupRoutes,
  CustomClaimService,
  customClaimRoutes,
  AccountViews,
  WebauthnService,
  webauthnRoutes,
  AuthorizationService,
  authorizeRoutes,
  interactionRoutes,
  registerAuthorizeDiscovery,
  ScopeClaimsService,
  authorizationCodeGrant,
  builtInClientAuthMethods,
  createClientAuthenticator,
  registerTokenDiscovery,
  registerUserinfoDiscovery,
  tokenRoutes,
  userinfoRoutes,
  DiscoveryRegistry,
  EventBus,
  FileSigningKeyRepository,
  HttpApp,
  JobScheduler,
  SigningKeyService,
  createContainer,
  discoveryRoutes,
  healthRoutes,
  isTrustedProxy,
  jwksRoutes,
  pocketIdV1FileKeySource,
  TOKENS,
  type AppConfig,
  type DependencyContainer,
  type HttpServer,
  type Logger,
  type RouteDef,
  type SigningKeyRepository,
} from '@latchkey/core';
import { createExpressServer } from '@latchkey/http-express';
import { createFastifyServer } from '@latchkey/http-fastify';
import { createMikroOrmStorage, type MikroOrmStorage } from '@latchkey/storage-mikro-orm';

/** Everything a running Latchkey is made of, wired once (ARCHITECTURE: hosts/server, the composition root). */
export interface Latchkey {
  config: AppConfig;
  container: DependencyContainer;
  storage: MikroOrmStorage;
  keys: SigningKeyService;
  scheduler: JobScheduler;
  events: EventBus;
  http: HttpApp;
  /** Starts the HTTP server, the key refresh and the jobs; resolves to the bound address. */
  listen(): Promise<string>;
  /** Graceful stop: no new connections, requests in flight finish, jobs stop, the database closes. */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** Storage and keys only: what the server and the maintenance commands (migrate, key-rotate) share. */
export async function openCore(config: AppConfig, logger: Logger, options: { migrate: boolean }) {
  const storage = await createMikroOrmStorage({
    connectionString: config.db.connectionString,
    provider: config.db.provider,
    cwd: config.cwd,
    logger,
    migrate: options.migrate,
  });
  try {
    // KEYS_STORAGE=file is Pocket ID v1's layout; a v1 clear-text key file there is imported once.
    const fileRepository =
      config.keysStorage === 'file' ? new FileSigningKeyRepository(config.keysPath) : undefined;
    const repository: SigningKeyRepository = fileRepository ?? storage.signingKeys;
    const keys = new SigningKeyService({
      repository,
      kv: storage.kv,
      encryptionKey: config.encryptionKey,
      logger,
      graceMs: config.keyRotationGraceHours * HOUR,
      refreshIntervalMs: config.keyRefreshIntervalSeconds * 1000,
      legacyKeySources: [fileRepository?.legacyKeySource() ?? pocketIdV1FileKeySource(config.keysPath)],
    });
    return { storage, keys };
  } catch (error) {
    await storage.database.close();
    throw error;
  }
}

export interface CreateOptions {
  /** The environment (with `.env`) the config came from; app settings read it under UI_CONFIG_DISABLED. */
  env?: Readonly<Record<string, string | undefined>>;
}

export async function createLatchkey(
  config: AppConfig,
  logger: Logger,
  options: CreateOptions = {},
): Promise<Latchkey> {
  const { storage, keys } = await openCore(config, logger, { migrate: true });
  let settings: AppConfigService;
  try {
    await storage.database.withScope(() => keys.init());
    // Under UI_CONFIG_DISABLED this validates the settings' variables: a bad one stops the start here.
    settings = new AppConfigService({
      repository: storage.appConfig,
      uiConfigDisabled: config.uiConfigDisabled,
      env: options.env ?? process.env,
    });
  } catch (error) {
    await storage.database.close();
    throw error;
  }

  const container = createContainer();
  const events = new EventBus(logger);
  const scheduler = new JobScheduler({ locks: storage.jobLocks, database: storage.database, logger });
  container.register(TOKENS.Logger, { useValue: logger });
  container.register(TOKENS.Database, { useValue: storage.database });
  container.register(TOKENS.KvStore, { useValue: storage.kv });
  container.register(TOKENS.JobLockRepository, { useValue: storage.jobLocks });
  container.register(TOKENS.SigningKeyRepository, { useValue: storage.signingKeys });

  scheduler.schedule({
    id: 'signing-keys.prune',
    every: '1h',
    singleton: true,
    run: async () => {
      await keys.pruneExpired();
    },
  });

  const discovery = new DiscoveryRegistry();
  discovery.add('core', ({ issuer, backchannelBase }) => ({
    issuer,
    jwks_uri: `${backchannelBase}/.well-known/jwks.json`,
    subject_types_supported: ['public'],
    // Only the current key signs, so only its algorithm is advertised (as Pocket ID does).
    id_token_signing_alg_values_supported: [keys.currentKey().alg],
  }));

  const secure = config.appUrl.startsWith('https://');
  const sessions = new SessionService({ sessions: storage.sessions, users: storage.users, settings });
  const accountViews = new AccountViews({
    users: storage.users,
    groups: storage.userGroups,
    claims: storage.customClaims,
  });
  const webauthn = new WebauthnService({
    appUrl: config.appUrl,
    credentials: storage.passkeys,
    challenges: storage.webauthnChallenges,
    users: storage.users,
    settings,
  });
  const loginCodes = new OneTimeAccessService({ tokens: storage.oneTimeAccessTokens, users: storage.users });
  scheduler.schedule({
    id: 'webauthn-challenges.prune',
    every: '1h',
    singleton: true,
    run: async () => {
      await storage.webauthnChallenges.deleteExpired(new Date());
      await storage.oneTimeAccessTokens.deleteExpired(new Date());
      await storage.reauthenticationTokens.deleteExpired(new Date());
      await storage.interactions.deleteExpired(new Date());
      await storage.authorizationCodes.deleteExpired(new Date());
      await storage.sessions.deleteStale(new Date(Date.now() - 7 * 24 * HOUR));
    },
  });

  const audit = new AuditService({
    repository: storage.auditLogs,
    ipLocator: localNetworkIpLocator(),
    users: storage.users,
    passkeys: storage.passkeys,
    logger,
  });
  audit.subscribe(events);
  scheduler.schedule(auditLogRetentionJob(audit, config.auditLogRetentionDays));
  const apiKeys = new ApiKeyService({ keys: storage.apiKeys, users: storage.users });
  // FILE_BACKEND (ARCHITECTURE "Scale"): the database store lets several instances share uploads.
  const files =
    config.fileBackend === 'database' ? storage.files : new FilesystemFileStore(config.uploadPath);
  const pictures = new ProfilePictureService({ files, images: new SharpImageProcessor() });
  // A deleted user's picture goes too; a failure is logged by the bus and never fails the deletion.
  events.on('user.deleted', ({ userId }) => pictures.remove(userId));
  const staticApiKey = new StaticApiKeyAuthenticator({
    staticApiKey: config.staticApiKey,
    users: storage.users,
    next: apiKeys,
  });
  await storage.database.withScope(() => staticApiKey.removeIfUnset());

  // OIDC token side: client authentication, the authorization_code grant, token and userinfo.
  const scopeClaims = new ScopeClaimsService({
    groups: storage.userGroups,
    customClaims: storage.customClaims,
  });
  const clientAuthMethods = builtInClientAuthMethods({
    clients: storage.oidcClients,
    secrets: new OidcClientService({
      clients: storage.oidcClients,
      database: storage.database,
      allowInsecureCallbackUrls: config.allowInsecureCallbackUrls,
    }),
  });
  const grants = [
    authorizationCodeGrant({
      codes: storage.authorizationCodes,
      users: storage.users,
      groups: storage.userGroups,
      clients: storage.oidcClients,
      claims: scopeClaims,
      signer: keys,
    }),
  ];
  registerTokenDiscovery(discovery, { authMethods: clientAuthMethods.map((m) => m.name), grants });
  registerUserinfoDiscovery(discovery);

  // OIDC authorize side: the authorize endpoint and the interaction API behind its page.
  const authorization = new AuthorizationService({
    clients: storage.oidcClients,
    groups: storage.userGroups,
    codes: storage.authorizationCodes,
    consents: storage.consents,
    interactions: storage.interactions,
  });
  registerAuthorizeDiscovery(discovery);

  const internalBase = config.internalAppUrl;
  const routes: RouteDef[] = [
    ...healthRoutes(storage.database),
    ...setupRoutes({ users: storage.users, sessions, settings, events, secure }),
    ...signupRoutes({
      signup: new SignupService({
        tokens: storage.signupTokens,
        users: storage.users,
        groups: storage.userGroups,
        claims: storage.customClaims,
        settings,
        events,
        database: storage.database,
      }),
      tokens: storage.signupTokens,
      groups: storage.userGroups,
      views: accountViews,
      sessions,
      secure,
    }),
    ...webauthnRoutes({
      webauthn,
      sessions,
      credentials: storage.passkeys,
      events,
      reauthentication: new ReauthenticationService({ tokens: storage.reauthenticationTokens }),
      secure,
    }),
    ...appConfigRoutes({ appConfig: settings }),
    ...userRoutes({
      users: storage.users,
      groups: storage.userGroups,
      views: accountViews,
      service: new UserService({
        users: storage.users,
        groups: storage.userGroups,
        sessions,
        settings,
        events,
        database: storage.database,
      }),
    }),
    ...userGroupRoutes({
      groups: storage.userGroups,
      views: accountViews,
      service: new UserGroupService({ groups: storage.userGroups, database: storage.database }),
    }),
    ...oidcClientRoutes({
      clients: storage.oidcClients,
      views: accountViews,
      service: new OidcClientService({
        clients: storage.oidcClients,
        database: storage.database,
        allowInsecureCallbackUrls: config.allowInsecureCallbackUrls,
      }),
    }),
    ...customClaimRoutes({
      service: new CustomClaimService({
        claims: storage.customClaims,
        users: storage.users,
        groups: storage.userGroups,
        database: storage.database,
      }),
    }),
    ...profilePictureRoutes({ users: storage.users, pictures }),
    ...auditRoutes({ auditLogs: storage.auditLogs }),
    ...apiKeyRoutes({ apiKeys, repository: storage.apiKeys }),
    ...oneTimeAccessRoutes({ codes: loginCodes, users: storage.users, sessions, events, secure }),
    ...discoveryRoutes(discovery, () => internalBase),
    ...jwksRoutes(keys),
    ...authorizeRoutes({ authorization, sessions, secure }),
    ...interactionRoutes({ authorization }),
    ...tokenRoutes({ authenticateClient: createClientAuthenticator(clientAuthMethods), grants }),
    ...userinfoRoutes({ verifier: keys, users: storage.users, claims: scopeClaims }),
  ];

  routes.push(...openApiRoutes(() => http.routes, { title: 'Latchkey', version: '0.1.0' }));
  const memoryRateLimits = new MemoryRateLimitStore();
  const rateLimiter = config.disableRateLimiting
    ? undefined
    : new RateLimiter({ memory: memoryRateLimits, shared: storage.rateLimits, logger });
  scheduler.schedule({
    id: 'rate-limits.sweep-memory',
    every: '1m',
    run: async () => void (await memoryRateLimits.deleteIdle(new Date(Date.now() - 60_000))),
  });
  scheduler.schedule({
    id: 'rate-limits.sweep-shared',
    every: '1h',
    singleton: true,
    run: async () => void (await storage.rateLimits.deleteIdle(new Date(Date.now() - HOUR))),
  });
  const http: HttpApp = new HttpApp({
    routes,
    logger,
    database: storage.database,
    issuerFor: () => config.appUrl,
    secure,
    rateLimit: rateLimiter ? (route, ip) => rateLimiter.check(route, ip) : undefined,
    authenticate: createAuthenticator({ sessions, secure, apiKeys: staticApiKey }),
    isTrustedProxy: (ip) => isTrustedProxy(config, ip),
  });
  const server: HttpServer = (config.httpHost === 'express' ? createExpressServer : createFastifyServer)(
    http,
  );

  let closed: Promise<void> | undefined;
  return {
    config,
    container,
    storage,
    keys,
    scheduler,
    events,
    http,
    async listen() {
      const address = await server.listen(
        config.unixSocket
          ? { path: config.unixSocket, mode: config.unixSocketMode }
          : { host: config.host, port: config.port },
      );
      keys.start();
      scheduler.start();
      return address;
    },
    close() {
      closed ??= (async () => {
        await server.close();
        await scheduler.stop();
        keys.stop();
        await container.dispose();
        await storage.database.close();
      })();
      return closed;
    },
  };
}
