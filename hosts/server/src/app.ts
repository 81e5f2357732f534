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
  ClientLogoService,
  clientLogoRoutes,
  HttpLogoDownloader,
  ClientRegistrationService,
  registrationRoutes,
  registerRegistrationDiscovery,
  SUPPORTED_SCOPES,
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
  parRoutes,
  registerParDiscovery,
  ScopeClaimsService,
  authorizationCodeGrant,
  refreshTokenGrant,
  clientCredentialsGrant,
  deviceCodeGrant,
  deviceRoutes,
  registerDeviceDiscovery,
  DeviceAuthorizationService,
  TokenIssuer,
  TokenLookup,
  introspectionRoutes,
  registerIntrospectionDiscovery,
  revocationRoutes,
  registerRevocationDiscovery,
  AuthorizedClientsService,
  authorizedClientRoutes,
  builtInClientAuthMethods,
  createClientAuthenticator,
  registerTokenDiscovery,
  registerUserinfoDiscovery,
  tokenRoutes,
  userinfoRoutes,
  DiscoveryRegistry,
  BackchannelLogoutService,
  endSessionRoutes,
  registerEndSessionDiscovery,
  EventBus,
  FileSigningKeyRepository,
  HttpApp,
  StaticFiles,
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
import { fileURLToPath } from 'node:url';
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
      signerThreadNice: config.helperThreadNice,
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
  /** The UI's build to serve; defaults to the repository's ui/dist (from src/ and dist/ alike). */
  uiDir?: string;
}

const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../ui/dist', import.meta.url));

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

  // The current key's algorithm is advertised, so a rotation (by kid) rebuilds the cached document.
  const discovery = new DiscoveryRegistry({ version: () => keys.currentKey().kid });
  discovery.add('core', ({ issuer, backchannelBase }) => ({
    issuer,
    jwks_uri: `${backchannelBase}/.well-known/jwks.json`,
    subject_types_supported: ['public'],
    // Only the current key signs, so only its algorithm is advertised (as Pocket ID does).
    id_token_signing_alg_values_supported: [keys.currentKey().alg],
  }));

  const secure = config.appUrl.startsWith('https://');
  const sessions = new SessionService({ sessions: storage.sessions, users: storage.users, settings, events });
  // Back-Channel Logout 1.0: a durable queue; the first attempt follows the logout, a job retries.
  const backchannel = new BackchannelLogoutService({
    repository: storage.backchannelLogouts,
    signer: keys,
    issuer: () => config.appUrl,
    database: storage.database,
    logger,
  });
  events.on('session.ended', ({ sessionId }) => backchannel.sessionEnded(sessionId));
  // The tokens of an ended session end with it, but for offline_access grants (OIDC Core §11).
  events.on('session.ended', ({ sessionId }) => storage.refreshTokens.revokeSession(sessionId, new Date()));
  scheduler.schedule({
    id: 'backchannel-logout.deliver',
    every: '15s',
    run: async () => void (await backchannel.deliverDue()),
  });
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
      await storage.pushedAuthorizationRequests.deleteExpired(new Date());
      await storage.authorizationCodes.deleteExpired(new Date());
      await storage.deviceCodes.deleteExpired(new Date());
      await storage.accessTokens.deleteExpired(new Date());
      await storage.refreshTokens.deleteExpired(new Date());
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
  // Client logos in the same FileStore. A logo URL is downloaded with a 2 MiB cap and a 5 s deadline;
  // loopback and private addresses are allowed only with ALLOW_INSECURE_CALLBACK_URLS (link-local and
  // metadata addresses never are).
  const clientLogos = new ClientLogoService({
    clients: storage.oidcClients,
    files,
    images: new SharpImageProcessor(),
    downloader: new HttpLogoDownloader({
      policy: { allowPrivateNetworks: config.allowInsecureCallbackUrls },
    }),
  });
  const oidcClients = new OidcClientService({
    clients: storage.oidcClients,
    database: storage.database,
    allowInsecureCallbackUrls: config.allowInsecureCallbackUrls,
    logos: clientLogos,
  });
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
  // One issuer for every grant (and the device grant later): tokens, their records, refresh families.
  const tokenIssuer = new TokenIssuer({
    signer: keys,
    accessTokens: storage.accessTokens,
    refreshTokens: storage.refreshTokens,
    claims: scopeClaims,
  });
  const userChecks = { users: storage.users, groups: storage.userGroups, clients: storage.oidcClients };
  const grants = [
    authorizationCodeGrant({
      ...userChecks,
      codes: storage.authorizationCodes,
      refreshTokens: storage.refreshTokens,
      issuer: tokenIssuer,
      database: storage.database,
    }),
    refreshTokenGrant({
      ...userChecks,
      refreshTokens: storage.refreshTokens,
      issuer: tokenIssuer,
      database: storage.database,
    }),
    clientCredentialsGrant({ issuer: tokenIssuer }),
    deviceCodeGrant({
      ...userChecks,
      codes: storage.deviceCodes,
      issuer: tokenIssuer,
      database: storage.database,
    }),
  ];
  const authenticateClient = createClientAuthenticator(clientAuthMethods);
  const tokenLookup = new TokenLookup({
    verifier: keys,
    accessTokens: storage.accessTokens,
    refreshTokens: storage.refreshTokens,
  });
  registerIntrospectionDiscovery(discovery, { authMethods: clientAuthMethods.map((m) => m.name) });
  registerRevocationDiscovery(discovery, { authMethods: clientAuthMethods.map((m) => m.name) });
  registerTokenDiscovery(discovery, { authMethods: clientAuthMethods.map((m) => m.name), grants });
  registerUserinfoDiscovery(discovery);
  registerEndSessionDiscovery(discovery);
  discovery.add('backchannel-logout', () => ({
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }));

  // OIDC authorize side: the authorize endpoint and the interaction API behind its page.
  const authorization = new AuthorizationService({
    clients: storage.oidcClients,
    groups: storage.userGroups,
    codes: storage.authorizationCodes,
    consents: storage.consents,
    interactions: storage.interactions,
    pushedRequests: storage.pushedAuthorizationRequests,
    idTokens: keys,
    events,
  });
  registerAuthorizeDiscovery(discovery);
  registerParDiscovery(discovery);
  registerDeviceDiscovery(discovery);
  // Dynamic Client Registration (RFC 7591/7592); the initial access token is an admin's API key.
  registerRegistrationDiscovery(discovery);
  const clientRegistration = new ClientRegistrationService({
    clients: oidcClients,
    logos: clientLogos,
    registrations: storage.clientRegistrations,
    database: storage.database,
    policy: { grantTypes: grants.map((g) => g.type), scopes: [...SUPPORTED_SCOPES, 'offline_access'] },
  });

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
      service: oidcClients,
    }),
    ...clientLogoRoutes({ logos: clientLogos }),
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
    ...registrationRoutes({
      registration: clientRegistration,
      apiKeys: staticApiKey,
      backchannelBase: () => internalBase,
    }),
    ...jwksRoutes(keys),
    ...authorizeRoutes({ authorization, sessions, secure }),
    ...interactionRoutes({
      authorization,
      sessions,
      reauthentication: new ReauthenticationService({ tokens: storage.reauthenticationTokens }),
      secure,
    }),
    ...parRoutes({ authorization, authenticateClient }),
    ...deviceRoutes({
      devices: new DeviceAuthorizationService({
        codes: storage.deviceCodes,
        consents: storage.consents,
        clients: storage.oidcClients,
        groups: storage.userGroups,
        events,
      }),
      authenticateClient,
      reauthentication: new ReauthenticationService({ tokens: storage.reauthenticationTokens }),
      secure,
    }),
    ...tokenRoutes({ authenticateClient, grants }),
    ...endSessionRoutes({ sessions, clients: storage.oidcClients, verifier: keys, secure }),
    ...userinfoRoutes({
      verifier: keys,
      accessTokens: storage.accessTokens,
      refreshTokens: storage.refreshTokens,
      users: storage.users,
      claims: scopeClaims,
    }),
    ...introspectionRoutes({ authenticateClient, tokens: tokenLookup, users: storage.users }),
    ...revocationRoutes({
      authenticateClient,
      tokens: tokenLookup,
      accessTokens: storage.accessTokens,
      refreshTokens: storage.refreshTokens,
    }),
    ...authorizedClientRoutes({
      users: storage.users,
      service: new AuthorizedClientsService({
        authorizedClients: storage.authorizedClients,
        clients: storage.oidcClients,
        consents: storage.consents,
        refreshTokens: storage.refreshTokens,
        database: storage.database,
      }),
    }),
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
  const uiDir = options.uiDir ?? DEFAULT_UI_DIR;
  const staticFiles = StaticFiles.load(uiDir);
  if (!staticFiles.built)
    logger.warn({ uiDir }, 'The UI is not built: pages answer 503 until `npm run build` builds ui/dist');
  const http: HttpApp = new HttpApp({
    routes,
    logger,
    database: storage.database,
    issuerFor: () => config.appUrl,
    secure,
    rateLimit: rateLimiter ? (route, ip) => rateLimiter.check(route, ip) : undefined,
    authenticate: createAuthenticator({ sessions, secure, apiKeys: staticApiKey }),
    isTrustedProxy: (ip) => isTrustedProxy(config, ip),
    staticFiles,
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
        await backchannel.idle();
        await keys.stop();
        await container.dispose();
        await storage.database.close();
      })();
      return closed;
    },
  };
}
