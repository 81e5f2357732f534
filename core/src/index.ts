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
export type { HttpServer, HttpServerFactory, ListenTarget } from './http/http-server.port.js';
export { json, renderProblem, renderOAuthError } from './http/render.js';
export { ProblemError, problems, type FieldError, type ProblemInit } from './errors/problem.errors.js';
export { OAuthError, OAUTH_ERROR_STATUS, type OAuthErrorCode } from './errors/oauth.errors.js';
export { healthRoutes } from './health/health.routes.js';
