/**
 * Reads the configuration from the environment and `.env`, validates it against the one schema
 * (config.schema.ts) and returns a typed, frozen {@link AppConfig}.
 *
 * Precedence, as in Pocket ID: a variable set in the real environment wins over `.env` (even when it is
 * set to the empty string); an empty value then counts as unset, so the default applies. `<NAME>_FILE`
 * overrides `<NAME>` with the file's trimmed contents, except `ENCRYPTION_KEY_FILE` (encryption-key.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, configErrorCode, type ConfigIssue } from './config.errors.js';
import { parseAppUrl, parseFileMode, parseGoBool } from './config-formats.js';
import {
  configFormats,
  configProperties,
  configSchema,
  type AppEnv,
  type ConfigFormatName,
  type ConfigPropertySchema,
  type ConfigValues,
  type ConfigVariableName,
  type DbProvider,
  type FileBackend,
  type HttpHostName,
  type KeysStorage,
  type LogLevel,
} from './config.schema.js';
import { resolveEncryptionKey, type EncryptionKeySource } from './encryption-key.js';
import { retiredVariableWarnings } from './pocket-id-v1.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

/** Latchkey's configuration: typed, camelCase, frozen. Paths are absolute (resolved against `cwd`). */
export interface AppConfig {
  /** The directory relative paths were resolved against, e.g. for a relative SQLite path in `db`. */
  readonly cwd: string;
  /** `APP_URL`, lower-cased, without a trailing slash: the issuer and WebAuthn origin. */
  readonly appUrl: string;
  /** `INTERNAL_APP_URL`, or `appUrl` when unset. */
  readonly internalAppUrl: string;
  readonly port: number;
  readonly host: string;
  readonly unixSocket?: string;
  readonly unixSocketMode?: number;
  readonly trustProxy: TrustProxy;
  readonly db: {
    /** Carried as written; the storage adapter parses it (and resolves a relative SQLite path against `cwd`). */
    readonly connectionString: string;
    /** Pocket ID v1's `DB_PROVIDER`, when set; storage checks that it agrees with the connection string. */
    readonly provider?: DbProvider;
  };
  readonly encryptionKey: Buffer;
  readonly encryptionKeySource: EncryptionKeySource;
  /** The key file read or generated; absent when the key came from `ENCRYPTION_KEY`. */
  readonly encryptionKeyPath?: string;
  readonly keysStorage: KeysStorage;
  readonly keysPath: string;
  /** `FILE_BACKEND`: where the FileStore keeps uploads (`fs`, Pocket ID v1's name, reads as `filesystem`). */
  readonly fileBackend: FileBackend;
  readonly uploadPath: string;
  readonly logLevel: LogLevel;
  readonly logJson: boolean;
  readonly httpHost: HttpHostName;
  readonly appEnv: AppEnv;
  readonly auditLogRetentionDays: number;
  /** `DISABLE_RATE_LIMITING`, or `APP_ENV=test` (Pocket ID turns rate limiting off for tests too). */
  readonly disableRateLimiting: boolean;
  /** `UI_CONFIG_DISABLED`: application settings come from the environment and cannot be edited. */
  readonly uiConfigDisabled: boolean;
  readonly allowInsecureCallbackUrls: boolean;
  readonly staticApiKey?: string;
  readonly keyRotationGraceHours: number;
  readonly keyRefreshIntervalSeconds: number;
  /** `HELPER_THREAD_NICE`: nice steps between the event loop and the helper threads (0: none). */
  readonly helperThreadNice: number;
}

export interface LoadConfigOptions {
  /** The environment; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where `.env` is looked for and relative paths are resolved; defaults to `process.cwd()`. */
  cwd?: string;
  /** Read `<cwd>/.env`; defaults to true. */
  dotenv?: boolean;
}

export interface LoadedConfig {
  readonly config: AppConfig;
  /** Things the operator should hear about but that do not stop the start (log them as warnings). */
  readonly warnings: string[];
  /**
   * The whole environment as Latchkey sees it: the real one over `.env`. For settings read elsewhere
   * (plugin settings overridden by env, `OTEL_*`); `.env` is never copied into `process.env`.
   */
  readonly env: Readonly<Record<string, string>>;
}

/** One variable as the docs list it. */
export interface ConfigVariable {
  readonly name: ConfigVariableName;
  readonly type: ConfigPropertySchema['type'];
  /** The schema default, if there is one. */
  readonly default?: string | number | boolean;
  /** What docs/configuration.md shows in the Default column: `x-doc-default`, the default, or `—`. */
  readonly docDefault: string;
  readonly description: string;
  readonly secret: boolean;
  /** For a `<NAME>_FILE` variable: the variable it stands in for. */
  readonly fileFor?: string;
  readonly enum?: readonly string[];
}

const variableNames = Object.keys(configProperties) as ConfigVariableName[];
const isVariableName = (name: string): name is ConfigVariableName => Object.hasOwn(configProperties, name);

/** Every variable of the schema, in schema order, with what the docs need. */
export function configVariables(): ConfigVariable[] {
  return variableNames.map((name) => {
    const p = configProperties[name];
    return {
      name,
      type: p.type,
      ...(p.default !== undefined && { default: p.default }),
      docDefault: p['x-doc-default'] ?? (p.default !== undefined ? String(p.default) : '—'),
      description: p.description,
      secret: p['x-secret'] === true,
      ...(p['x-file-for'] !== undefined && { fileFor: p['x-file-for'] }),
      ...(p.enum !== undefined && { enum: p.enum }),
    };
  });
}

/** The variables whose values must never be logged (their `_FILE` forms hold only paths). */
export function secretVariableNames(): string[] {
  return variableNames.filter((name) => configProperties[name]['x-secret'] === true);
}

let compiled: ReturnType<Ajv['compile']> | undefined;

function validator(): ReturnType<Ajv['compile']> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: true });
  ajv.addVocabulary(['x-secret', 'x-file-for', 'x-doc-default', 'x-allowed']);
  ajv.addKeyword({
    keyword: 'x-min-bytes',
    type: 'string',
    schemaType: 'number',
    errors: false,
    validate: (min: number, data: string) => Buffer.byteLength(data, 'utf8') >= min,
  });
  for (const [name, parse] of Object.entries(configFormats)) {
    ajv.addFormat(name, { type: 'string', validate: (value: string) => parse(value).ok });
  }
  compiled = ajv.compile(configSchema);
  return compiled;
}

/** What an error message says is allowed, derived from the schema unless `x-allowed` says it. */
function describeAllowed(p: ConfigPropertySchema): string {
  if (p['x-allowed']) return p['x-allowed'];
  if (p.enum) return `one of ${p.enum.join(', ')}`;
  if (p.type === 'boolean') return 'a boolean (true, false, 1, 0, t, f)';
  if (p.type === 'integer') {
    if (p.minimum !== undefined && p.maximum !== undefined)
      return `an integer from ${p.minimum} to ${p.maximum}`;
    if (p.minimum !== undefined) return `an integer of at least ${p.minimum}`;
    return 'an integer';
  }
  if (p.minLength !== undefined && p.minLength > 1) return `at least ${p.minLength} characters long`;
  if (p.minLength === 1) return 'a non-empty string';
  return 'a string';
}

function readDotenv(cwd: string): Record<string, string> {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([
      {
        variable: '.env',
        code: 'LATCHKEY_ERR_CONFIG_DOTENV',
        message: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      },
    ]);
  }
  return parseDotenv(text);
}

/**
 * Loads and validates the configuration. Throws a {@link ConfigError} listing every bad variable; on
 * success may generate the quick-start encryption key file (see encryption-key.ts).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const dotenv = options.dotenv === false ? {} : readDotenv(cwd);
  // The real environment wins over .env, even with an empty value (as dotenv and godotenv do).
  const merged: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(dotenv)) merged[name] = value;
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  const lookup = (name: string): string | undefined => merged[name];

  const warnings = retiredVariableWarnings(merged);

  // The strings as given; secrets verbatim, the rest trimmed; empty means unset.
  const raw: Partial<Record<ConfigVariableName, string>> = {};
  for (const name of variableNames) {
    const value = lookup(name);
    const text = configProperties[name]['x-secret'] ? value : value?.trim();
    if (text !== undefined && text !== '') raw[name] = text;
  }

  const issues = new Map<string, ConfigIssue>();
  const addIssue = (variable: string, message: string) => {
    if (!issues.has(variable)) issues.set(variable, { variable, code: configErrorCode(variable), message });
  };

  // `<NAME>_FILE`: the file's trimmed contents replace `<NAME>`; blame the _FILE variable for them.
  const blame: Partial<Record<ConfigVariableName, ConfigVariableName>> = {};
  for (const fileVariable of variableNames) {
    const target = configProperties[fileVariable]['x-file-for'];
    const path = raw[fileVariable];
    // ENCRYPTION_KEY_FILE is different (untrimmed, may not exist yet): resolveEncryptionKey owns it.
    if (
      target === undefined ||
      target === 'ENCRYPTION_KEY' ||
      path === undefined ||
      !isVariableName(target)
    ) {
      continue;
    }
    const absolute = resolve(cwd, path);
    try {
      raw[target] = readFileSync(absolute, 'utf8').trim();
      blame[target] = fileVariable;
    } catch (error) {
      addIssue(
        fileVariable,
        `${fileVariable} cannot be read (${absolute}: ${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  }

  // Environment strings → the schema's types. A value that does not convert stays a string, so ajv
  // reports it as the wrong type and the message can quote it.
  const data: Record<string, unknown> = {};
  for (const name of variableNames) {
    const value = raw[name];
    if (value === undefined) continue;
    // An ENCRYPTION_KEY_FILE that exists overrides ENCRYPTION_KEY; resolveEncryptionKey checks whichever wins.
    if (name === 'ENCRYPTION_KEY' && raw.ENCRYPTION_KEY_FILE !== undefined) continue;
    const p = configProperties[name];
    if (p.type === 'integer') {
      const n = Number(value);
      data[name] = /^[+-]?\d+$/.test(value) && Number.isSafeInteger(n) ? n : value;
    } else if (p.type === 'boolean') {
      data[name] = parseGoBool(value) ?? value;
    } else {
      data[name] = p.enum ? value.toLowerCase() : value;
    }
  }

  // Pocket ID v2 also knows `s3`; say so plainly rather than "must be one of".
  if (data.FILE_BACKEND === 's3') {
    addIssue(
      'FILE_BACKEND',
      'FILE_BACKEND=s3 is not supported by Latchkey yet; use filesystem, or database to share files between instances',
    );
  }
  if (data.FILE_BACKEND === 'fs') {
    warnings.push(
      'FILE_BACKEND=fs is the Pocket ID v1 name; it is read as filesystem, set FILE_BACKEND=filesystem.',
    );
    data.FILE_BACKEND = 'filesystem';
  }

  const validate = validator();
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.slice(1);
      if (!isVariableName(name)) continue;
      const variable = blame[name] ?? name;
      addIssue(variable, messageFor(name, variable, raw[name] ?? '', error));
    }
  }
  if (issues.size > 0) {
    const order = (variable: string) => (isVariableName(variable) ? variableNames.indexOf(variable) : -1);
    throw new ConfigError([...issues.values()].sort((a, b) => order(a.variable) - order(b.variable)));
  }

  const values = data as ConfigValues;
  const appUrl = parseUrlOrThrow('APP_URL', values.APP_URL);
  const trustProxy = parseTrustProxy(values.TRUST_PROXY);
  if (!trustProxy.ok) throw new ConfigError('TRUST_PROXY', `TRUST_PROXY is invalid: ${trustProxy.reason}`);
  const unixSocketMode =
    values.UNIX_SOCKET_MODE === undefined ? undefined : parseFileMode(values.UNIX_SOCKET_MODE);

  // Last, so that a configuration with mistakes never leaves a generated key file behind.
  const key = resolveEncryptionKey({
    encryptionKey: raw.ENCRYPTION_KEY,
    encryptionKeyFile: raw.ENCRYPTION_KEY_FILE,
    cwd,
  });
  warnings.push(...key.warnings);

  const config: AppConfig = {
    cwd,
    appUrl,
    internalAppUrl:
      values.INTERNAL_APP_URL === undefined
        ? appUrl
        : parseUrlOrThrow('INTERNAL_APP_URL', values.INTERNAL_APP_URL),
    port: values.PORT,
    host: values.HOST,
    ...(values.UNIX_SOCKET !== undefined && { unixSocket: resolve(cwd, values.UNIX_SOCKET) }),
    ...(unixSocketMode?.ok && { unixSocketMode: unixSocketMode.value }),
    trustProxy: Object.freeze({
      trustAll: trustProxy.value.trustAll,
      ranges: Object.freeze(trustProxy.value.ranges.map((range) => Object.freeze({ ...range }))),
    }),
    db: Object.freeze({
      connectionString: values.DB_CONNECTION_STRING,
      ...(values.DB_PROVIDER !== undefined && { provider: values.DB_PROVIDER }),
    }),
    encryptionKey: key.key,
    encryptionKeySource: key.source,
    ...(key.path !== undefined && { encryptionKeyPath: key.path }),
    keysStorage: values.KEYS_STORAGE,
    keysPath: resolve(cwd, values.KEYS_PATH),
    fileBackend: values.FILE_BACKEND as FileBackend,
    uploadPath: resolve(cwd, values.UPLOAD_PATH),
    logLevel: values.LOG_LEVEL,
    logJson: values.LOG_JSON,
    httpHost: values.HTTP_HOST,
    appEnv: values.APP_ENV,
    auditLogRetentionDays: values.AUDIT_LOG_RETENTION_DAYS,
    disableRateLimiting: values.DISABLE_RATE_LIMITING || values.APP_ENV === 'test',
    uiConfigDisabled: values.UI_CONFIG_DISABLED,
    allowInsecureCallbackUrls: values.ALLOW_INSECURE_CALLBACK_URLS,
    ...(values.STATIC_API_KEY !== undefined && { staticApiKey: values.STATIC_API_KEY }),
    keyRotationGraceHours: values.KEY_ROTATION_GRACE_HOURS,
    keyRefreshIntervalSeconds: values.KEY_REFRESH_INTERVAL_SECONDS,
    helperThreadNice: values.HELPER_THREAD_NICE,
  };
  return { config: Object.freeze(config), warnings, env: Object.freeze(merged) };
}

function parseUrlOrThrow(variable: string, value: string): string {
  const url = parseAppUrl(value);
  // Unreachable after validation; kept so a schema change cannot let a bad URL through silently.
  if (!url.ok) throw new ConfigError(variable, `${variable} is invalid: ${url.reason}`);
  return url.value;
}

/** `PORT must be an integer from 0 to 65535 (got "abc")`; never quotes a secret. */
function messageFor(name: ConfigVariableName, variable: string, value: string, error: ErrorObject): string {
  const p = configProperties[name];
  const subject = variable === name ? name : `${name} from ${variable}`;
  let got: string;
  if (p['x-secret']) {
    got =
      error.keyword === 'x-min-bytes'
        ? `got ${Buffer.byteLength(value, 'utf8')} bytes`
        : `got ${value.length} characters`;
  } else {
    got = `got ${JSON.stringify(value)}`;
    if (error.keyword === 'format') {
      const result = configFormats[error.params['format'] as ConfigFormatName]?.(value);
      if (result && !result.ok) got += `: ${result.reason}`;
    }
  }
  return `${subject} must be ${describeAllowed(p)} (${got})`;
}
