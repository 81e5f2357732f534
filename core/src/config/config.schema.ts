/**
 * Every environment variable Latchkey reads, in one JSON Schema. The loader validates with it (ajv),
 * the docs test compares it with docs/configuration.md, and log redaction reads `x-secret` from it.
 * Later features add their variables here (UI settings, PLUGINS), not in a second schema.
 *
 * Values arrive as strings. The loader turns `integer` and `boolean` properties into numbers and
 * booleans first (booleans the Go `strconv.ParseBool` way, as Pocket ID reads them), then ajv checks
 * the typed values and fills in the defaults.
 *
 * Custom keywords (annotations unless noted):
 * - `x-secret`: the value must never be logged or echoed in an error; it also has a `<NAME>_FILE` form.
 * - `x-file-for`: this variable names a file whose contents stand in for the named variable.
 * - `x-doc-default`: what the docs show as the default when it is not the literal `default`
 *   (a default derived from another variable, or a generated one).
 * - `x-allowed`: what an error message says is allowed, when the schema alone does not say it well.
 * - `x-min-bytes`: a validating keyword; the UTF-8 length of the string must be at least this.
 */
import { parseAppUrl, parseFileMode, type ParseResult } from './config-formats.js';
import { parseTrustProxy } from './trust-proxy.js';

/** The formats the schema's `format` keyword may name; each parser explains what is wrong. */
export const configFormats = {
  'latchkey-app-url': parseAppUrl,
  'latchkey-trust-proxy': parseTrustProxy,
  'latchkey-file-mode': parseFileMode,
} as const satisfies Record<string, (value: string) => ParseResult<unknown>>;

export type ConfigFormatName = keyof typeof configFormats;

/** The shape every property of the schema has. */
export interface ConfigPropertySchema {
  readonly type: 'string' | 'integer' | 'boolean';
  readonly description: string;
  readonly default?: string | number | boolean;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly format?: ConfigFormatName;
  readonly 'x-secret'?: boolean;
  readonly 'x-file-for'?: string;
  readonly 'x-doc-default'?: string;
  readonly 'x-allowed'?: string;
  readonly 'x-min-bytes'?: number;
}

/** Where the quick start writes a generated encryption key when `ENCRYPTION_KEY_FILE` is unset. */
export const DEFAULT_ENCRYPTION_KEY_PATH = 'data/.encryption-key';

const properties = {
  APP_ENV: {
    type: 'string',
    enum: ['production', 'development', 'test'],
    default: 'production',
    description: 'The environment. `test` also turns rate limiting off, as in Pocket ID.',
  },
  APP_URL: {
    type: 'string',
    format: 'latchkey-app-url',
    default: 'http://localhost:1411',
    'x-allowed': 'an http:// or https:// URL without a path, query or fragment',
    description:
      'The public URL people and apps use; it is the OIDC issuer and the WebAuthn origin. Lower-cased, trailing `/` removed; no path.',
  },
  INTERNAL_APP_URL: {
    type: 'string',
    format: 'latchkey-app-url',
    'x-doc-default': 'APP_URL',
    'x-allowed': 'an http:// or https:// URL without a path, query or fragment',
    description:
      'The URL apps use for back-channel calls (token, userinfo, introspection, JWKS) in the discovery document. No path.',
  },
  PORT: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 1411,
    description: 'The TCP port to listen on. `0` picks a free port (for tests).',
  },
  HOST: {
    type: 'string',
    minLength: 1,
    default: '0.0.0.0',
    description: 'The address to listen on.',
  },
  UNIX_SOCKET: {
    type: 'string',
    description: 'Listen on this Unix socket path instead of `HOST`:`PORT`.',
  },
  UNIX_SOCKET_MODE: {
    type: 'string',
    format: 'latchkey-file-mode',
    'x-allowed': 'an octal file mode such as 0660',
    description: 'The permissions of `UNIX_SOCKET`, in octal (e.g. `0660`).',
  },
  TRUST_PROXY: {
    type: 'string',
    format: 'latchkey-trust-proxy',
    default: 'false',
    'x-allowed': 'a boolean (true, false, 1, 0) or a comma-separated list of IP addresses and CIDR ranges',
    description:
      'Whose `X-Forwarded-*` headers to believe: `true` (everyone), `false` (no one), or a comma-separated list of IPv4/IPv6 addresses and CIDR ranges.',
  },
  DB_CONNECTION_STRING: {
    type: 'string',
    minLength: 1,
    default: 'data/latchkey.db',
    'x-secret': true,
    description:
      'A SQLite file path (also `file:` URLs and Go-style `?_pragma=` DSNs) or a `postgres://` / `postgresql://` URL, which selects PostgreSQL.',
  },
  DB_CONNECTION_STRING_FILE: {
    type: 'string',
    'x-file-for': 'DB_CONNECTION_STRING',
    description: 'A file holding `DB_CONNECTION_STRING` (trimmed); overrides it.',
  },
  DB_PROVIDER: {
    type: 'string',
    enum: ['sqlite', 'postgres'],
    description:
      'Pocket ID v1: `sqlite` or `postgres`. Optional; the provider is inferred from `DB_CONNECTION_STRING` and must agree with it.',
  },
  ENCRYPTION_KEY: {
    type: 'string',
    'x-secret': true,
    'x-min-bytes': 16,
    'x-doc-default': `generated into ${DEFAULT_ENCRYPTION_KEY_PATH}`,
    'x-allowed': 'at least 16 bytes long',
    description:
      'Encrypts the signing keys and other secrets at rest. Used as raw bytes (not base64-decoded), at least 16.',
  },
  ENCRYPTION_KEY_FILE: {
    type: 'string',
    'x-file-for': 'ENCRYPTION_KEY',
    description:
      'A file holding `ENCRYPTION_KEY`. When the file exists it overrides `ENCRYPTION_KEY` and its bytes are used untrimmed; when it does not, a key may be generated there.',
  },
  KEYS_STORAGE: {
    type: 'string',
    enum: ['database', 'file'],
    default: 'database',
    description:
      'Where the token signing keys live: `database` (encrypted, Pocket ID v2) or `file` under `KEYS_PATH` (Pocket ID v1).',
  },
  KEYS_PATH: {
    type: 'string',
    minLength: 1,
    default: 'data/keys',
    description: 'The signing key directory when `KEYS_STORAGE=file`.',
  },
  FILE_BACKEND: {
    type: 'string',
    // `fs` is Pocket ID v1's name for `filesystem` (accepted with a warning); `s3` is refused by the loader.
    enum: ['filesystem', 'database', 'fs'],
    default: 'filesystem',
    'x-allowed': 'filesystem or database (s3 is not supported yet)',
    description:
      'Where uploaded files live: `filesystem` (under `UPLOAD_PATH`) or `database` (shared by every instance).',
  },
  UPLOAD_PATH: {
    type: 'string',
    minLength: 1,
    default: 'data/uploads',
    description: 'Where uploaded images (profile pictures, logos) are stored.',
  },
  LOG_LEVEL: {
    type: 'string',
    enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
    description: 'The least severe level that is logged.',
  },
  LOG_JSON: {
    type: 'boolean',
    default: false,
    description: 'Log one JSON object per line instead of readable text.',
  },
  HTTP_HOST: {
    type: 'string',
    enum: ['fastify', 'express'],
    default: 'fastify',
    description: 'The HTTP framework that serves requests; both give identical answers.',
  },
  AUDIT_LOG_RETENTION_DAYS: {
    type: 'integer',
    minimum: 1,
    default: 90,
    description: 'How many days audit log entries are kept.',
  },
  DISABLE_RATE_LIMITING: {
    type: 'boolean',
    default: false,
    description: 'Turn rate limiting off (it is also off when `APP_ENV=test`).',
  },
  UI_CONFIG_DISABLED: {
    type: 'boolean',
    default: false,
    description:
      'Take the application settings from the environment (one variable per setting, see below) and refuse edits through the API.',
  },
  ALLOW_INSECURE_CALLBACK_URLS: {
    type: 'boolean',
    default: true,
    description: 'Allow plain `http://` callback URLs on clients. `false` rejects them.',
  },
  STATIC_API_KEY: {
    type: 'string',
    minLength: 16,
    'x-secret': true,
    description: 'An API key (at least 16 characters) that acts as an administrator, for automation.',
  },
  STATIC_API_KEY_FILE: {
    type: 'string',
    'x-file-for': 'STATIC_API_KEY',
    description: 'A file holding `STATIC_API_KEY` (trimmed); overrides it.',
  },
  KEY_ROTATION_GRACE_HOURS: {
    type: 'integer',
    minimum: 0,
    default: 24,
    description:
      'Latchkey: how many hours a rotated-out public key stays in the JWKS, so tokens it signed can still be verified.',
  },
  KEY_REFRESH_INTERVAL_SECONDS: {
    type: 'integer',
    minimum: 1,
    // setInterval cannot wait longer than about 24.8 days; a day is plenty.
    maximum: 86400,
    default: 60,
    description:
      'Latchkey: how often a running server re-reads the signing key set (after a rotation elsewhere).',
  },
  HELPER_THREAD_NICE: {
    type: 'integer',
    minimum: 0,
    maximum: 19,
    default: 10,
    description:
      "Latchkey, Linux: how many nice steps below the event loop `latchkey serve` runs its helper threads (signing, libuv's pool, V8's); 0 leaves them at the process's priority.",
  },
} as const satisfies Record<string, ConfigPropertySchema>;

/** The one configuration schema. */
export const configSchema = {
  $id: 'https://latchkey.dev/schemas/config.json',
  type: 'object',
  properties,
  // The environment holds many unrelated variables; only the ones above are looked at.
  additionalProperties: true,
} as const;

export type ConfigVariableName = keyof typeof properties;

/** The schema's properties, typed loosely for code that walks all of them. */
export const configProperties: Readonly<Record<ConfigVariableName, ConfigPropertySchema>> = properties;

export type AppEnv = (typeof properties.APP_ENV.enum)[number];
export type LogLevel = (typeof properties.LOG_LEVEL.enum)[number];
export type HttpHostName = (typeof properties.HTTP_HOST.enum)[number];
export type KeysStorage = (typeof properties.KEYS_STORAGE.enum)[number];
/** `FILE_BACKEND` after the loader has read Pocket ID v1's `fs` as `filesystem`. */
export type FileBackend = Exclude<(typeof properties.FILE_BACKEND.enum)[number], 'fs'>;
export type DbProvider = (typeof properties.DB_PROVIDER.enum)[number];

type Properties = typeof properties;
type PropertyValue<P> = P extends { readonly enum: readonly (infer E)[] }
  ? E
  : P extends { readonly type: 'integer' }
    ? number
    : P extends { readonly type: 'boolean' }
      ? boolean
      : string;

/**
 * The variables after validation, still under their environment names: typed, with defaults filled in.
 * A variable without a default may be absent.
 */
export type ConfigValues = {
  -readonly [
    K in keyof Properties as Properties[K] extends { readonly default: unknown } ? K : never
  ]: PropertyValue<Properties[K]>;
} & {
  -readonly [
    K in keyof Properties as Properties[K] extends { readonly default: unknown } ? never : K
  ]?: PropertyValue<Properties[K]>;
};
