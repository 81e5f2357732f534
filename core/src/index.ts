export { TOKENS } from './kernel/tokens.js';
export type { Logger } from './kernel/logger.js';
export { silentLogger } from './kernel/logger.js';
export type { Database } from './storage/database.port.js';
export type { KvStore } from './storage/kv-store.port.js';
export type { JobLockRepository } from './storage/job-lock.port.js';
export type {
  SigningKeyRepository,
  StoredSigningKey,
  SigningAlg,
} from './oidc/tokens/signing-key.repository.port.js';
export * from './http/route.js';
export { HttpApp, type HttpAppOptions } from './http/http-app.js';
export { StaticFiles, PAGE_CSP, type StaticFileAnswer } from './http/static-files.js';
export type { HttpServer, HttpServerFactory, ListenTarget } from './http/http-server.port.js';
export { json, jsonText, renderProblem, renderOAuthError } from './http/render.js';
export type { ProblemBody } from './http/render.js';
export { ProblemError, problems, type FieldError, type ProblemInit } from './errors/problem.errors.js';
export { OAuthError, OAUTH_ERROR_STATUS, type OAuthErrorCode } from './errors/oauth.errors.js';
export { healthRoutes } from './health/health.routes.js';
export * from './config/index.js';
export { createContainer, type DependencyContainer } from './kernel/container.js';
export { EventBus, type CoreEvents, type ClientInfo } from './kernel/event-bus.js';
export { JobScheduler, type JobDefinition } from './kernel/job-scheduler.js';
export { parseDuration } from './kernel/duration.js';
export {
  DiscoveryRegistry,
  type DiscoveryContext,
  type DiscoveryContributor,
} from './oidc/discovery/discovery-registry.js';
export { discoveryRoutes, WELL_KNOWN_CORS } from './oidc/endpoints/discovery.endpoint.js';
export { jwksRoutes, type PublicKeySet } from './oidc/endpoints/jwks.endpoint.js';
export * from './crypto/encryption.js';
export {
  KeyDecryptionError,
  KEY_DECRYPT_ERROR_CODE,
  type KeyDecryptionProblem,
} from './crypto/crypto.errors.js';
export { ensureInstanceId, INSTANCE_ID_KV_KEY } from './crypto/instance-id.js';
export * from './oidc/tokens/key-generator.js';
export * from './oidc/tokens/signing-key.service.js';
export * from './oidc/tokens/signing-key.errors.js';
export { FileSigningKeyRepository } from './oidc/tokens/file-signing-key.repository.js';
export {
  pocketIdV1FileKeySource,
  POCKET_ID_KEY_KV_KEY,
  type LegacyKeySource,
} from './oidc/tokens/pocket-id-import.js';
export type { User, NewUser, UserPatch } from './users/user.js';
export { STATIC_API_USER_ID } from './users/user.js';
export { UniqueViolationError, type UserRepository } from './users/user.repository.port.js';
export type { Session } from './sessions/session.js';
export type { SessionRepository } from './sessions/session.repository.port.js';
export type { PasskeyCredential, WebauthnChallenge, ChallengePurpose } from './passkeys/passkey.js';
export type {
  PasskeyCredentialRepository,
  WebauthnChallengeRepository,
} from './passkeys/passkey.repository.port.js';
export {
  DEFAULT_APP_SETTINGS,
  defaultAppSettings,
  toAppSettings,
  type AppSettings,
  type AppSettingsProvider,
} from './app-config/app-settings.js';
export { APP_SETTINGS, envNameOf, checkSetting, type SettingDef } from './app-config/app-config.schema.js';
export type { AppConfigRepository } from './app-config/app-config.repository.port.js';
export { AppConfigService, type SettingDto } from './app-config/app-config.service.js';
export { appConfigRoutes } from './app-config/app-config.routes.js';
export { cookieNames, serializeCookie, parseCookies, type CookieOptions } from './http/cookies.js';
export { SessionService, hashToken } from './sessions/session.service.js';
export { createAuthenticator } from './auth/authenticator.js';
export {
  WebauthnService,
  WEBAUTHN_TIMEOUT_MS,
  SignCountRegressionError,
} from './passkeys/webauthn.service.js';
export { webauthnRoutes, toCredentialDto } from './passkeys/webauthn.routes.js';
export { setupRoutes } from './signup/setup.routes.js';
export type { SignupToken, NewSignupToken } from './signup/signup-token.js';
export type { SignupTokenRepository, SignupTokenSortColumn } from './signup/signup-token.repository.port.js';
export {
  SignupService,
  generateSignupToken,
  signupProblems,
  DEFAULT_SIGNUP_TOKEN_TTL_MS,
} from './signup/signup.service.js';
export { signupRoutes, type SignupTokenDto } from './signup/signup.routes.js';
export { userRoutes, USER_LIST_SORTABLE, USER_LIST_FILTERABLE } from './users/users.routes.js';
export { UserService } from './users/user.service.js';
export { AccountViews } from './users/account-views.js';
export { userNotFound, alreadyInUse } from './users/user.errors.js';
export type { UserListCriteria } from './users/user.repository.port.js';
export type { UserGroup, NewUserGroup, UserGroupPatch } from './groups/user-group.js';
export type { UserGroupRepository, UserGroupListCriteria } from './groups/user-group.repository.port.js';
export { UserGroupService } from './groups/user-group.service.js';
export * from './clients/oidc-client.js';
export type {
  OidcClientRepository,
  OidcClientListCriteria,
  InsertSecretResult,
} from './clients/oidc-client.repository.port.js';
export { OidcClientService, generateClientSecret, hashClientSecret } from './clients/oidc-client.service.js';
export {
  oidcClientRoutes,
  OIDC_CLIENT_LIST_SORTABLE,
  OIDC_CLIENT_LIST_FILTERABLE,
} from './clients/oidc-clients.routes.js';
export * from './clients/oidc-client.dto.js';
export { oidcClientProblems } from './clients/oidc-client.errors.js';
export {
  ClientLogoService,
  CLIENT_LOGO_MAX_BYTES,
  clientLogoPath,
  type LogoImage,
  type LogoVariant,
  type StoredLogo,
} from './clients/client-logo.service.js';
export { clientLogoRoutes, CLIENT_LOGO_CACHE_CONTROL, SVG_LOGO_CSP } from './clients/client-logo.routes.js';
export { clientLogoProblems } from './clients/client-logo.errors.js';
export {
  HttpLogoDownloader,
  LogoDownloadError,
  type LogoDownloader,
  type HttpLogoDownloaderOptions,
} from './clients/logo-downloader.js';
export { refusedAddress, type OutboundAddressPolicy } from './clients/checks/outbound-address.check.js';
export { checkSvgLogo, type SvgCheck } from './clients/checks/svg-logo.check.js';
export {
  compileCallbackPattern,
  checkCallbackUrls,
  isInsecureCallbackUrl,
  type CallbackPattern,
} from './clients/checks/callback-url.check.js';
export { userGroupRoutes, USER_GROUP_LIST_SORTABLE } from './groups/user-groups.routes.js';
export {
  toUserGroupDto,
  toUserGroupMinimalDto,
  type UserGroupDto,
  type UserGroupMinimalDto,
} from './groups/user-group.dto.js';
export type { CustomClaim, ClaimOwner } from './claims/custom-claim.js';
export type { CustomClaimRepository } from './claims/custom-claim.repository.port.js';
export { CustomClaimService } from './claims/custom-claim.service.js';
export { customClaimRoutes } from './claims/custom-claims.routes.js';
export { RESERVED_CLAIM_KEYS } from './claims/checks/reserved-key.check.js';
export { toUserDto, type UserDto } from './users/user.dto.js';
export type { SignUpBody, UserBody } from './users/user.schema.js';
export * from './http/pagination.js';
export type {
  OneTimeAccessToken,
  OneTimeAccessTokenRepository,
} from './one-time-access/one-time-access.repository.port.js';
export {
  OneTimeAccessService,
  DEFAULT_LOGIN_CODE_TTL_MS,
} from './one-time-access/one-time-access.service.js';
export { oneTimeAccessRoutes } from './one-time-access/one-time-access.routes.js';
export { parseTtl } from './one-time-access/ttl.js';
export {
  ReauthenticationService,
  REAUTHENTICATION_TTL_MS,
  FRESH_SIGN_IN_MS,
  type ReauthenticationToken,
  type ReauthenticationTokenRepository,
} from './passkeys/reauthentication.js';
export { buildOpenApi, openApiRoutes } from './http/openapi.js';
export {
  INTERNAL_NETWORK,
  type AuditEvent,
  type AuditLogEntry,
  type NewAuditLogEntry,
} from './audit/audit-log.js';
export type {
  AuditLogRepository,
  AuditLogFilter,
  AuditLogListOptions,
  AuditLogSortColumn,
  AuditLogEntryWithUser,
} from './audit/audit-log.repository.port.js';
export { localNetworkIpLocator, type IpLocator, type IpLocation } from './audit/ip-locator.port.js';
export { describeDevice } from './audit/device.js';
export { AuditService, type AuditServiceDeps } from './audit/audit.service.js';
export { auditLogRetentionJob, AUDIT_LOG_RETENTION_JOB_ID } from './audit/audit-log-retention.job.js';
export { auditRoutes, toAuditLogDto } from './audit/audit.routes.js';
export type { ApiKey, NewApiKey } from './api-keys/api-key.js';
export type { ApiKeyRepository, ApiKeySortColumn } from './api-keys/api-key.repository.port.js';
export { ApiKeyService, hashApiKey, generateApiKeySecret } from './api-keys/api-key.service.js';
export { apiKeyRoutes, toApiKeyDto } from './api-keys/api-keys.routes.js';
export * from './rate-limit/rate-limit.js';
export { RateLimiter } from './rate-limit/rate-limiter.js';
export {
  checkFilePath,
  contentTypeOfPath,
  InvalidFilePathError,
  type FileStore,
  type StoredFile,
} from './files/file-store.port.js';
export { FilesystemFileStore } from './files/filesystem-file-store.js';
export type { ImageInfo, ImageProcessor } from './images/image-processor.port.js';
export { SharpImageProcessor } from './images/sharp-image-processor.js';
export {
  parseMultipart,
  fileTooLarge,
  isUploadedFile,
  type MultipartBody,
  type UploadedFile,
} from './http/multipart.js';
export {
  ProfilePictureService,
  initialsOf,
  profilePicturePath,
  PROFILE_PICTURE_SIZE,
} from './users/profile-picture.service.js';
export {
  profilePictureRoutes,
  IMAGE_CACHE_CONTROL,
  PROFILE_PICTURE_MAX_BYTES,
} from './users/profile-picture.routes.js';
export { StaticApiKeyAuthenticator } from './api-keys/static-api-key.js';
export type {
  AuthorizationCode,
  AuthorizationCodeRepository,
  Consent,
  ConsentRepository,
  Interaction,
  InteractionRepository,
} from './oidc/authorization/authorization-code.js';
// OIDC authorize side: the checks pipeline, interactions, the authorize and interaction endpoints.
export {
  AUTHORIZATION_PIPELINE,
  AuthorizationService,
  INTERACTION_STEPS,
  PAR_LIFETIME_SECONDS,
  type AuthorizationDeps,
  type InteractionStep,
  type SignedIn,
} from './oidc/authorization/authorization.service.js';
export {
  AuthorizeError,
  RESPONSE_MODES,
  type AuthorizationCheck,
  type AuthorizationContext,
  type ResponseMode,
} from './oidc/authorization/authorization-request.js';
export { authorizationResponse, FORM_POST_SCRIPT_HASH } from './oidc/authorization/authorization-response.js';
export type {
  PushedAuthorizationRequest,
  PushedAuthorizationRequestRepository,
} from './oidc/authorization/pushed-authorization-request.js';
export { authorizeRoutes, registerAuthorizeDiscovery } from './oidc/endpoints/authorize.endpoint.js';
export { interactionRoutes, type InteractionDto } from './oidc/endpoints/interactions.endpoint.js';
export { parRoutes, registerParDiscovery, PAR_PATH } from './oidc/endpoints/par.endpoint.js';
// OIDC token side: client authentication, scope claims, tokens, the token and userinfo endpoints.
export type {
  ClientAuthMethod,
  ClientAuthDeps,
  FormBody,
} from './oidc/client-auth/client-auth-method.port.js';
export {
  builtInClientAuthMethods,
  createClientAuthenticator,
  type ClientAuthenticator,
} from './oidc/client-auth/authenticate-client.js';
export {
  ScopeClaimsService,
  SUPPORTED_CLAIMS,
  SUPPORTED_SCOPES,
} from './oidc/claims/scope-claims.service.js';
export * from './oidc/claims/claims-request.js';
export { atHash, issueAccessToken, issueIdToken, type TokenSigner } from './oidc/tokens/oidc-tokens.js';
export type { Grant, TokenResponse } from './oidc/grants/grant.js';
export { authorizationCodeGrant } from './oidc/grants/authorization-code.grant.js';
export { registerTokenDiscovery, tokenRoutes, TOKEN_PATH } from './oidc/endpoints/token.endpoint.js';
export {
  registerUserinfoDiscovery,
  userinfoRoutes,
  USERINFO_PATH,
} from './oidc/endpoints/userinfo.endpoint.js';
// OIDC token lifecycle: token records, refresh-token families, issuance, the refresh and client
// credentials grants, introspection, revocation, and the user's authorized clients.
export type {
  AccessTokenRecord,
  AccessTokenRepository,
  NewAccessTokenRecord,
} from './oidc/tokens/access-token.repository.port.js';
export type {
  NewRefreshToken,
  NewRefreshTokenFamily,
  RefreshToken,
  RefreshTokenFamily,
  RefreshTokenRepository,
} from './oidc/tokens/refresh-token.repository.port.js';
export {
  TokenIssuer,
  type IssuedTokens,
  type TokenIssuerDeps,
  type TokenRequest,
} from './oidc/tokens/token-issuer.js';
export { TokenLookup, type FoundToken, type JwtVerifier } from './oidc/tokens/token-lookup.js';
export { refreshTokenGrant } from './oidc/grants/refresh-token.grant.js';
export { clientCredentialsGrant, IDENTITY_SCOPES } from './oidc/grants/client-credentials.grant.js';
export { checkUserAllowed, type UserAllowedDeps } from './oidc/grants/checks/user-allowed.check.js';
export {
  INTROSPECTION_PATH,
  introspectionRoutes,
  registerIntrospectionDiscovery,
} from './oidc/endpoints/introspection.endpoint.js';
export {
  REVOCATION_PATH,
  registerRevocationDiscovery,
  revocationRoutes,
} from './oidc/endpoints/revocation.endpoint.js';
export type {
  AccessibleClient,
  AccessibleClientCriteria,
  AuthorizedClient,
  AuthorizedClientCriteria,
  AuthorizedClientRepository,
} from './oidc/authorized-clients/authorized-client.repository.port.js';
export { AuthorizedClientsService } from './oidc/authorized-clients/authorized-clients.service.js';
export {
  authorizedClientRoutes,
  AUTHORIZED_CLIENT_LIST_FILTERABLE,
  AUTHORIZED_CLIENT_LIST_SORTABLE,
  ACCESSIBLE_CLIENT_LIST_FILTERABLE,
  ACCESSIBLE_CLIENT_LIST_SORTABLE,
  type AccessibleOidcClientDto,
  type AuthorizedOidcClientDto,
} from './oidc/authorized-clients/authorized-clients.routes.js';
export * from './oidc/logout/backchannel-logout.port.js';
export * from './oidc/logout/backchannel-logout.service.js';
export * from './oidc/endpoints/end-session.endpoint.js';
// Dynamic Client Registration (RFC 7591, RFC 7592).
export {
  registrationRoutes,
  registerRegistrationDiscovery,
  REGISTRATION_PATH,
  type RegistrationDeps,
} from './oidc/endpoints/registration.endpoint.js';
export {
  ClientRegistrationService,
  type ClientInformation,
} from './oidc/registration/client-registration.service.js';
export {
  parseClientMetadata,
  type ClientMetadata,
  type MetadataPolicy,
} from './oidc/registration/client-metadata.js';
export type {
  ClientRegistration,
  ClientRegistrationRepository,
  NewClientRegistration,
  RegisteredMetadata,
} from './oidc/registration/client-registration.repository.port.js';
export * from './oidc/device/device-code.js';
export * from './oidc/device/device-authorization.service.js';
export * from './oidc/endpoints/device.endpoint.js';
export * from './oidc/grants/device-code.grant.js';
