import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.errors.js';
import { configVariables, loadConfig, secretVariableNames, type LoadConfigOptions } from './config-loader.js';

const KEY = 'k'.repeat(32);
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Loads with a key set (so nothing is generated), in a fresh directory, without a .env. */
function load(env: Record<string, string | undefined>, options: LoadConfigOptions = {}) {
  return loadConfig({ cwd: tempDir(), dotenv: false, ...options, env: { ENCRYPTION_KEY: KEY, ...env } });
}

function loadError(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): ConfigError {
  try {
    load(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('defaults', () => {
  it('gives every variable its documented default', () => {
    const { config, warnings } = load({});
    expect(config).toMatchObject({
      appUrl: 'http://localhost:1411',
      internalAppUrl: 'http://localhost:1411',
      port: 1411,
      host: '0.0.0.0',
      trustProxy: { trustAll: false, ranges: [] },
      db: { connectionString: 'data/latchkey.db' },
      keysStorage: 'database',
      logLevel: 'info',
      logJson: false,
      httpHost: 'fastify',
      appEnv: 'production',
      auditLogRetentionDays: 90,
      disableRateLimiting: false,
      allowInsecureCallbackUrls: true,
      keyRotationGraceHours: 24,
      keyRefreshIntervalSeconds: 60,
    });
    expect(config.keysPath).toBe(join(config.cwd, 'data/keys'));
    expect(config.uploadPath).toBe(join(config.cwd, 'data/uploads'));
    expect(config.db.provider).toBeUndefined();
    expect(config.unixSocket).toBeUndefined();
    expect(config.unixSocketMode).toBeUndefined();
    expect(config.staticApiKey).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('treats an empty variable as unset', () => {
    const { config } = load({ PORT: '', APP_URL: '', LOG_LEVEL: '  ' });
    expect(config.port).toBe(1411);
    expect(config.appUrl).toBe('http://localhost:1411');
    expect(config.logLevel).toBe('info');
  });

  it('returns a frozen object', () => {
    const { config } = load({ TRUST_PROXY: '10.0.0.0/8' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.db)).toBe(true);
    expect(Object.isFrozen(config.trustProxy)).toBe(true);
    expect(Object.isFrozen(config.trustProxy.ranges)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('ignores variables it does not know', () => {
    expect(() => load({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });
});

describe('APP_URL and INTERNAL_APP_URL', () => {
  it('lower-cases and trims the trailing slash', () => {
    const { config } = load({ APP_URL: 'HTTPS://Auth.Example.COM/' });
    expect(config.appUrl).toBe('https://auth.example.com');
    expect(config.internalAppUrl).toBe('https://auth.example.com');
  });

  it('keeps an explicit port as written, because the issuer is compared as a string', () => {
    expect(load({ APP_URL: 'https://id.example.com:8443' }).config.appUrl).toBe(
      'https://id.example.com:8443',
    );
  });

  it('rejects a path, naming the variable, the value and the path', () => {
    const error = loadError({ APP_URL: 'https://example.com/auth' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_APP_URL');
    expect(error.variable).toBe('APP_URL');
    expect(error.message).toBe(
      'APP_URL must be an http:// or https:// URL without a path, query or fragment (got "https://example.com/auth": it has the path "/auth")',
    );
  });

  it.each([
    ['ftp://example.com', 'does not start with http:// or https://'],
    ['example.com', 'does not start with http:// or https://'],
    ['http://', 'not a valid URL'],
    ['http://exa mple.com', 'not a valid URL'],
    ['https://example.com?x=1', 'query'],
    ['https://example.com#top', 'fragment'],
    ['https://user:pw@example.com', 'user name or password'],
  ])('rejects %s', (value, reason) => {
    const error = loadError({ APP_URL: value });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_APP_URL');
    expect(error.message).toContain(reason);
  });

  it('uses INTERNAL_APP_URL when set, with the same rules', () => {
    const { config } = load({ APP_URL: 'https://id.example.com', INTERNAL_APP_URL: 'http://Latchkey:1411/' });
    expect(config.internalAppUrl).toBe('http://latchkey:1411');
    const error = loadError({ INTERNAL_APP_URL: 'http://latchkey:1411/internal' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_INTERNAL_APP_URL');
    expect(error.variable).toBe('INTERNAL_APP_URL');
  });
});

describe('typed values', () => {
  it('PORT=abc is an error that names the variable and what is allowed', () => {
    const error = loadError({ PORT: 'abc' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_PORT');
    expect(error.variable).toBe('PORT');
    expect(error.message).toBe('PORT must be an integer from 0 to 65535 (got "abc")');
  });

  it.each(['65536', '-1', '1.5', '1e3', '0x10'])('PORT=%s is rejected', (value) => {
    expect(loadError({ PORT: value }).variable).toBe('PORT');
  });

  it('PORT accepts 0 (an ephemeral port, for tests) and 65535', () => {
    expect(load({ PORT: '0' }).config.port).toBe(0);
    expect(load({ PORT: ' 65535 ' }).config.port).toBe(65535);
  });

  it.each([
    ['1', true],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['true', true],
    ['True', true],
    ['0', false],
    ['f', false],
    ['FALSE', false],
    ['False', false],
  ])('reads booleans the Go ParseBool way: %s', (value, expected) => {
    const { config } = load({
      LOG_JSON: value,
      DISABLE_RATE_LIMITING: value,
      ALLOW_INSECURE_CALLBACK_URLS: value,
    });
    expect(config.logJson).toBe(expected);
    expect(config.disableRateLimiting).toBe(expected);
    expect(config.allowInsecureCallbackUrls).toBe(expected);
  });

  it.each(['yes', 'on', 'tRUE', '2'])('rejects the non-Go boolean %s', (value) => {
    const error = loadError({ LOG_JSON: value });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_LOG_JSON');
    expect(error.message).toBe(`LOG_JSON must be a boolean (true, false, 1, 0, t, f) (got "${value}")`);
  });

  it('checks enums case-insensitively and says which values are allowed', () => {
    expect(load({ LOG_LEVEL: 'DEBUG', HTTP_HOST: 'Express', APP_ENV: 'Development' }).config).toMatchObject({
      logLevel: 'debug',
      httpHost: 'express',
      appEnv: 'development',
    });
    expect(loadError({ LOG_LEVEL: 'verbose' }).message).toBe(
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "verbose")',
    );
    expect(loadError({ HTTP_HOST: 'koa' }).code).toBe('LATCHKEY_ERR_CONFIG_HTTP_HOST');
    expect(loadError({ KEYS_STORAGE: 's3' }).code).toBe('LATCHKEY_ERR_CONFIG_KEYS_STORAGE');
  });

  it('APP_ENV=test turns rate limiting off, as in Pocket ID', () => {
    expect(load({ APP_ENV: 'test' }).config.disableRateLimiting).toBe(true);
  });

  it('checks the integer bounds of the retention and key settings', () => {
    expect(loadError({ AUDIT_LOG_RETENTION_DAYS: '0' }).message).toBe(
      'AUDIT_LOG_RETENTION_DAYS must be an integer of at least 1 (got "0")',
    );
    expect(loadError({ KEY_REFRESH_INTERVAL_SECONDS: '0' }).variable).toBe('KEY_REFRESH_INTERVAL_SECONDS');
    expect(loadError({ KEY_REFRESH_INTERVAL_SECONDS: '100000' }).variable).toBe(
      'KEY_REFRESH_INTERVAL_SECONDS',
    );
    expect(loadError({ KEY_ROTATION_GRACE_HOURS: '-1' }).variable).toBe('KEY_ROTATION_GRACE_HOURS');
    expect(
      load({
        AUDIT_LOG_RETENTION_DAYS: '30',
        KEY_ROTATION_GRACE_HOURS: '48',
        KEY_REFRESH_INTERVAL_SECONDS: '5',
      }).config,
    ).toMatchObject({ auditLogRetentionDays: 30, keyRotationGraceHours: 48, keyRefreshIntervalSeconds: 5 });
  });

  it('reads the listener settings', () => {
    const { config } = load({
      HOST: '127.0.0.1',
      PORT: '8080',
      UNIX_SOCKET: 'run/latchkey.sock',
      UNIX_SOCKET_MODE: '0660',
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.unixSocket).toBe(join(config.cwd, 'run/latchkey.sock'));
    expect(config.unixSocketMode).toBe(0o660);
    expect(load({ UNIX_SOCKET_MODE: '600' }).config.unixSocketMode).toBe(0o600);
    expect(loadError({ UNIX_SOCKET_MODE: '0999' }).message).toContain(
      'UNIX_SOCKET_MODE must be an octal file mode',
    );
  });

  it('reports every bad variable at once; code and variable are the first in schema order', () => {
    const error = loadError({ LOG_LEVEL: 'loud', PORT: 'abc', APP_URL: 'http://x/y' });
    expect(error.variable).toBe('APP_URL');
    expect(error.issues.map((issue) => issue.variable)).toEqual(['APP_URL', 'PORT', 'LOG_LEVEL']);
    expect(error.message).toContain('PORT must be an integer');
    expect(error.message).toContain('LOG_LEVEL must be one of');
  });
});

describe('database', () => {
  it('carries the connection string and DB_PROVIDER as given', () => {
    const { config } = load({
      DB_CONNECTION_STRING: 'postgres://latchkey:secret@db:5432/latchkey',
      DB_PROVIDER: 'postgres',
    });
    expect(config.db).toEqual({
      connectionString: 'postgres://latchkey:secret@db:5432/latchkey',
      provider: 'postgres',
    });
    expect(load({ DB_PROVIDER: 'sqlite' }).config.db.provider).toBe('sqlite');
  });

  it('rejects DB_PROVIDER=mysql', () => {
    const error = loadError({ DB_PROVIDER: 'mysql' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_DB_PROVIDER');
    expect(error.message).toBe('DB_PROVIDER must be one of sqlite, postgres (got "mysql")');
  });

  it('accepts the Pocket ID v1 key storage variables', () => {
    const { config, warnings } = load({ KEYS_STORAGE: 'file', KEYS_PATH: '/var/lib/pocket-id/keys' });
    expect(config.keysStorage).toBe('file');
    expect(config.keysPath).toBe('/var/lib/pocket-id/keys');
    expect(warnings).toEqual([]);
  });
});

describe('_FILE variables', () => {
  it('DB_CONNECTION_STRING_FILE overrides DB_CONNECTION_STRING, trimmed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'db-dsn'), '  postgres://u:p@db/latchkey\n\n');
    const { config } = load(
      { DB_CONNECTION_STRING: 'data/other.db', DB_CONNECTION_STRING_FILE: 'db-dsn' },
      { cwd: dir },
    );
    expect(config.db.connectionString).toBe('postgres://u:p@db/latchkey');
  });

  it('STATIC_API_KEY_FILE overrides STATIC_API_KEY, trimmed, and is checked under the _FILE name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'api-key'), 'a-static-api-key-1234\n');
    const { config } = load(
      { STATIC_API_KEY: 'plain-variable-key-5678', STATIC_API_KEY_FILE: 'api-key' },
      { cwd: dir },
    );
    expect(config.staticApiKey).toBe('a-static-api-key-1234');

    writeFileSync(join(dir, 'short-key'), 'short\n');
    const error = loadError({ STATIC_API_KEY_FILE: join(dir, 'short-key') });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_STATIC_API_KEY_FILE');
    expect(error.variable).toBe('STATIC_API_KEY_FILE');
    expect(error.message).toBe(
      'STATIC_API_KEY from STATIC_API_KEY_FILE must be at least 16 characters long (got 5 characters)',
    );
  });

  it('an unreadable _FILE is an error naming the _FILE variable', () => {
    const error = loadError({ DB_CONNECTION_STRING_FILE: 'missing/dsn' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_DB_CONNECTION_STRING_FILE');
    expect(error.variable).toBe('DB_CONNECTION_STRING_FILE');
    expect(error.message).toMatch(/^DB_CONNECTION_STRING_FILE cannot be read \(.*missing\/dsn: ENOENT\)$/);
  });

  it('STATIC_API_KEY must have 16 characters, and the error never quotes a secret', () => {
    const error = loadError({ STATIC_API_KEY: 'hunter2' });
    expect(error.code).toBe('LATCHKEY_ERR_CONFIG_STATIC_API_KEY');
    expect(error.message).toBe('STATIC_API_KEY must be at least 16 characters long (got 7 characters)');
    expect(error.message).not.toContain('hunter2');
    expect(load({ STATIC_API_KEY: 'sixteen-chars-ok' }).config.staticApiKey).toBe('sixteen-chars-ok');
  });
});

describe('.env', () => {
  it('reads .env from the working directory; the real environment wins', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'APP_URL=https://from-dotenv.example\nPORT=3000\nLOG_LEVEL=debug\n');
    const { config } = loadConfig({ cwd: dir, env: { ENCRYPTION_KEY: KEY, PORT: '4000' } });
    expect(config.appUrl).toBe('https://from-dotenv.example');
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('debug');
  });

  it('returns the merged environment without touching process.env', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PLUGINS=smtp\nOTEL_TRACES_EXPORTER=otlp\nPORT=3000\n');
    const { env } = loadConfig({ cwd: dir, env: { ENCRYPTION_KEY: KEY, PORT: '4000', UNSET: undefined } });
    expect({ ...env }).toEqual({
      ENCRYPTION_KEY: KEY,
      PLUGINS: 'smtp',
      OTEL_TRACES_EXPORTER: 'otlp',
      PORT: '4000',
    });
    expect(Object.isFrozen(env)).toBe(true);
    expect(process.env['PLUGINS']).toBeUndefined();
  });

  it('a variable set to empty in the environment still wins over .env, and means the default', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=3000\n');
    expect(loadConfig({ cwd: dir, env: { ENCRYPTION_KEY: KEY, PORT: '' } }).config.port).toBe(1411);
  });

  it('validates values from .env like any other', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=abc\n');
    expect(() => loadConfig({ cwd: dir, env: { ENCRYPTION_KEY: KEY } })).toThrow(
      'PORT must be an integer from 0 to 65535 (got "abc")',
    );
  });

  it('is skipped with dotenv: false, and a missing .env is fine', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=3000\n');
    expect(loadConfig({ cwd: dir, dotenv: false, env: { ENCRYPTION_KEY: KEY } }).config.port).toBe(1411);
    expect(loadConfig({ cwd: tempDir(), env: { ENCRYPTION_KEY: KEY } }).config.port).toBe(1411);
  });
});

describe('Pocket ID v1 variables', () => {
  it('warns about each one that is present, naming its replacement, and does not read it', () => {
    const { config, warnings } = load({
      PUBLIC_APP_URL: 'https://old.example.com',
      SQLITE_DB_PATH: 'data/pocket-id.db',
      POSTGRES_CONNECTION_STRING: 'postgres://x',
      BACKEND_PORT: '8080',
      TRACING_ENABLED: 'true',
      METRICS_ENABLED: 'true',
      PUBLIC_UI_CONFIG_DISABLED: 'true',
      INTERNAL_BACKEND_URL: 'http://localhost:8080',
      LDAP_ATTRIBUTE_ADMIN_GROUP: 'admins',
      CADDY_DISABLED: 'true',
      CADDY_PORT: '80',
    });
    expect(config.appUrl).toBe('http://localhost:1411');
    expect(config.port).toBe(1411);
    expect(config.db.connectionString).toBe('data/latchkey.db');
    expect(warnings).toEqual([
      'PUBLIC_APP_URL is a Pocket ID v1 variable and is ignored; use APP_URL instead.',
      'INTERNAL_BACKEND_URL is a Pocket ID v1 variable and is ignored; use INTERNAL_APP_URL instead.',
      'BACKEND_PORT is a Pocket ID v1 variable and is ignored; use PORT instead.',
      'SQLITE_DB_PATH is a Pocket ID v1 variable and is ignored; use DB_CONNECTION_STRING instead.',
      'POSTGRES_CONNECTION_STRING is a Pocket ID v1 variable and is ignored; use DB_CONNECTION_STRING instead.',
      'PUBLIC_UI_CONFIG_DISABLED is a Pocket ID v1 variable and is ignored; use UI_CONFIG_DISABLED instead.',
      'TRACING_ENABLED is a Pocket ID v1 variable and is ignored; use OTEL_TRACES_EXPORTER instead.',
      'METRICS_ENABLED is a Pocket ID v1 variable and is ignored; use OTEL_METRICS_EXPORTER instead.',
      'LDAP_ATTRIBUTE_ADMIN_GROUP is a Pocket ID v1 variable and is ignored; use LDAP_ADMIN_GROUP_NAME instead.',
      'CADDY_DISABLED is a Pocket ID v1 variable and is ignored; there is no bundled Caddy; Latchkey serves HTTP directly on PORT.',
      'CADDY_PORT is a Pocket ID v1 variable and is ignored; there is no bundled Caddy; Latchkey serves HTTP directly on PORT.',
    ]);
  });

  it('also warns about v1 variables found in .env', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PUBLIC_APP_URL=https://old.example.com\n');
    expect(loadConfig({ cwd: dir, env: { ENCRYPTION_KEY: KEY } }).warnings).toEqual([
      'PUBLIC_APP_URL is a Pocket ID v1 variable and is ignored; use APP_URL instead.',
    ]);
  });
});

describe('metadata', () => {
  it('names the secret variables, for log redaction', () => {
    expect(secretVariableNames()).toEqual(['DB_CONNECTION_STRING', 'ENCRYPTION_KEY', 'STATIC_API_KEY']);
  });

  it('lists every variable with its default, and each secret has a _FILE form', () => {
    const variables = configVariables();
    const byName = new Map(variables.map((v) => [v.name as string, v]));
    expect(byName.get('PORT')).toMatchObject({ default: 1411, docDefault: '1411', type: 'integer' });
    expect(byName.get('INTERNAL_APP_URL')?.docDefault).toBe('APP_URL');
    expect(byName.get('UNIX_SOCKET')?.docDefault).toBe('—');
    for (const v of variables) expect(v.description.length).toBeGreaterThan(10);
    for (const name of secretVariableNames()) {
      expect(byName.get(`${name}_FILE`)?.fileFor).toBe(name);
    }
  });
});

describe('FILE_BACKEND', () => {
  it('defaults to filesystem and accepts database', () => {
    expect(load({}).config.fileBackend).toBe('filesystem');
    expect(load({ FILE_BACKEND: 'Database' }).config.fileBackend).toBe('database');
  });

  it('reads Pocket ID v1’s fs as filesystem, with a warning', () => {
    const { config, warnings } = load({ FILE_BACKEND: 'fs' });
    expect(config.fileBackend).toBe('filesystem');
    expect(warnings).toEqual([expect.stringContaining('FILE_BACKEND=fs')]);
  });

  it('refuses s3 (not supported yet) and unknown values, naming the variable', () => {
    const s3 = loadError({ FILE_BACKEND: 's3' });
    expect(s3.code).toBe('LATCHKEY_ERR_CONFIG_FILE_BACKEND');
    expect(s3.message).toMatch(/^FILE_BACKEND=s3 is not supported by Latchkey yet/);
    expect(loadError({ FILE_BACKEND: 'ftp' }).message).toBe(
      'FILE_BACKEND must be filesystem or database (s3 is not supported yet) (got "ftp")',
    );
  });
});
