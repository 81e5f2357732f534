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
