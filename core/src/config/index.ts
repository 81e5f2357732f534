// The configuration module's public API; core/src/index.ts re-exports it.
export {
  configVariables,
  loadConfig,
  secretVariableNames,
  type AppConfig,
  type ConfigVariable,
  type LoadConfigOptions,
  type LoadedConfig,
} from './config-loader.js';
export { ConfigError, configErrorCode, type ConfigIssue } from './config.errors.js';
export {
  configSchema,
  DEFAULT_ENCRYPTION_KEY_PATH,
  type AppEnv,
  type ConfigPropertySchema,
  type ConfigValues,
  type ConfigVariableName,
  type DbProvider,
  type HttpHostName,
  type KeysStorage,
  type FileBackend,
  type LogLevel,
} from './config.schema.js';
export {
  MIN_ENCRYPTION_KEY_BYTES,
  resolveEncryptionKey,
  type EncryptionKeySource,
  type ResolvedEncryptionKey,
  type ResolveEncryptionKeyOptions,
} from './encryption-key.js';
export { pocketIdV1Variables, type RetiredVariable } from './pocket-id-v1.js';
export { isTrustedProxy, parseTrustProxy, type TrustedProxyRange, type TrustProxy } from './trust-proxy.js';
