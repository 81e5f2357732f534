import type { InjectionToken } from 'tsyringe';
import type { Database } from '../storage/database.port.js';
import type { KvStore } from '../storage/kv-store.port.js';
import type { JobLockRepository } from '../storage/job-lock.port.js';
import type { SigningKeyRepository } from '../oidc/tokens/signing-key.repository.port.js';
import type { Logger } from './logger.js';

/**
 * Every injection token in one place. Symbols, never classes or strings, so a typo is a compile error
 * and nothing depends on emitted decorator metadata (ARCHITECTURE: dependency injection).
 */
export const TOKENS = {
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  Database: Symbol('Database') as InjectionToken<Database>,
  KvStore: Symbol('KvStore') as InjectionToken<KvStore>,
  JobLockRepository: Symbol('JobLockRepository') as InjectionToken<JobLockRepository>,
  SigningKeyRepository: Symbol('SigningKeyRepository') as InjectionToken<SigningKeyRepository>,
} as const;
