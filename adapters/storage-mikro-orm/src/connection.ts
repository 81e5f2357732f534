/**
 * `DB_CONNECTION_STRING` and `DB_PROVIDER`, as both Pocket ID generations accept them:
 * - v2 infers the engine from the URL: `postgres://` or `postgresql://` is PostgreSQL, anything else a
 *   SQLite path;
 * - v1 also had `DB_PROVIDER=sqlite|postgres`, which must agree with the URL;
 * - v1's SQLite default is a Go DSN, `file:data/pocket-id.db?_pragma=journal_mode(WAL)&…`
 *   (modernc.org/sqlite style), and its docs also show mattn/go-sqlite3 style `?_journal_mode=DELETE`.
 *   Both are read into pragmas.
 */

export type DbProvider = 'sqlite' | 'postgres';

export interface SqliteConnectionOptions {
  dialect: 'sqlite';
  /** A file path as given (relative paths resolve against the working directory), or `:memory:`. */
  path: string;
  /** The pragmas to run on every new connection, in order: our defaults overlaid by the DSN's. */
  pragmas: Record<string, string>;
}

export interface PostgresConnectionOptions {
  dialect: 'postgresql';
  /** The URL as given, credentials included: never log it, use `redactConnectionString`. */
  url: string;
}

export type ParsedConnectionString = SqliteConnectionOptions | PostgresConnectionOptions;

export const DEFAULT_CONNECTION_STRING = 'data/latchkey.db';

/** Applied to every SQLite connection unless the DSN says otherwise (busy_timeout first, so the rest wait for locks). */
export const DEFAULT_SQLITE_PRAGMAS: Readonly<Record<string, string>> = {
  busy_timeout: '5000',
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
  foreign_keys: 'ON',
};

/** Pragmas a DSN may set. Others (`writable_schema`, `ignore_check_constraints`, …) would undermine the schema. */
const ALLOWED_PRAGMAS = new Set([
  'busy_timeout',
  'journal_mode',
  'synchronous',
  'foreign_keys',
  'auto_vacuum',
  'cache_size',
  'secure_delete',
  'locking_mode',
  'temp_store',
  'mmap_size',
  'journal_size_limit',
  'wal_autocheckpoint',
]);

/** mattn/go-sqlite3's `_name=value` parameters and the pragma each one sets. */
const MATTN_ALIASES: Record<string, string> = {
  _busy_timeout: 'busy_timeout',
  _timeout: 'busy_timeout',
  _journal_mode: 'journal_mode',
  _journal: 'journal_mode',
  _synchronous: 'synchronous',
  _sync: 'synchronous',
  _foreign_keys: 'foreign_keys',
  _fk: 'foreign_keys',
  _auto_vacuum: 'auto_vacuum',
  _vacuum: 'auto_vacuum',
  _cache_size: 'cache_size',
  _secure_delete: 'secure_delete',
  _locking_mode: 'locking_mode',
  _locking: 'locking_mode',
};

/**
 * Go driver parameters that have no meaning here, accepted so a Pocket ID connection string keeps working:
 * - `_txlock=immediate` made Go's `BEGIN` take the write lock at once, because Go's pool holds many
 *   connections. This process holds a single SQLite connection, so its transactions never contend
 *   with each other, and MikroORM always issues a plain `BEGIN`; `busy_timeout` covers other processes.
 * - `_loc`, `_mutex`, `_time_format`: how the Go driver converts times and locks; MikroORM stores
 *   epoch milliseconds and better-sqlite3 is synchronous.
 * - `cache=shared`: better-sqlite3 has no shared-cache mode, and one connection needs none.
 */
const IGNORED_PARAMS = new Set(['_txlock', '_loc', '_mutex', '_time_format', 'cache']);

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Reads `DB_CONNECTION_STRING` (and, if given, Pocket ID v1's `DB_PROVIDER`). Throws an Error naming the
 * variable on anything it cannot honour; the message never contains a password.
 */
export function parseConnectionString(
  connectionString: string,
  provider?: DbProvider,
): ParsedConnectionString {
  const raw = connectionString.trim();
  if (raw === '') throw new Error('DB_CONNECTION_STRING is empty.');
  const isPostgres = POSTGRES_URL.test(raw);
  if (provider !== undefined) {
    if (provider !== 'sqlite' && provider !== 'postgres') {
      throw new Error(`DB_PROVIDER must be "sqlite" or "postgres", not "${String(provider)}".`);
    }
    if ((provider === 'postgres') !== isPostgres) {
      throw new Error(
        `DB_PROVIDER=${provider} disagrees with DB_CONNECTION_STRING=${redactConnectionString(raw)}, ` +
          `which selects ${isPostgres ? 'PostgreSQL' : 'SQLite'}. ` +
          (provider === 'postgres'
            ? 'Use a postgres:// or postgresql:// URL, or drop DB_PROVIDER.'
            : 'Set DB_PROVIDER=postgres, or drop DB_PROVIDER (the URL alone selects the engine).'),
      );
    }
  }
  return isPostgres ? parsePostgres(raw) : parseSqlite(raw);
}

function parsePostgres(raw: string): PostgresConnectionOptions {
  try {
    new URL(raw);
  } catch {
    throw new Error(`DB_CONNECTION_STRING is not a valid URL: ${redactConnectionString(raw)}`);
  }
  return { dialect: 'postgresql', url: raw };
}

function parseSqlite(raw: string): SqliteConnectionOptions {
  const invalid = (why: string) =>
    new Error(`DB_CONNECTION_STRING=${redactConnectionString(raw)} is not a usable SQLite location: ${why}`);

  // Like the Go drivers, parameters follow the first `?`, with or without a `file:` prefix.
  const q = raw.indexOf('?');
  let path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q + 1);

  if (path.toLowerCase().startsWith('file:')) {
    path = path.slice('file:'.length);
    if (path.startsWith('//')) {
      // file:///abs/path or file://localhost/abs/path; a remote host is meaningless for SQLite.
      const slash = path.indexOf('/', 2);
      const host = slash === -1 ? path.slice(2) : path.slice(2, slash);
      if (host !== '' && host.toLowerCase() !== 'localhost') throw invalid(`file URL host "${host}"`);
      path = slash === -1 ? '' : path.slice(slash);
    }
    try {
      path = decodeURIComponent(path);
    } catch {
      throw invalid('malformed percent-encoding in the path');
    }
  }

  const pragmas: Record<string, string> = { ...DEFAULT_SQLITE_PRAGMAS };
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === '_pragma') {
      const m = /^\s*([a-z_]+)\s*(?:\((.*)\)|=(.*))\s*$/i.exec(value);
      if (!m) throw invalid(`_pragma=${value} is not name(value)`);
      setPragma(pragmas, m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').trim(), invalid);
    } else if (key in MATTN_ALIASES) {
      setPragma(pragmas, MATTN_ALIASES[key]!, value.trim(), invalid);
    } else if (key === 'mode') {
      if (value === 'memory') path = ':memory:';
      else if (value !== 'rwc' && value !== 'rw') throw invalid(`mode=${value} is not supported`);
    } else if (!IGNORED_PARAMS.has(key)) {
      throw invalid(`unknown parameter "${key}"`);
    }
  }

  if (path === '') throw invalid('no file path');
  return { dialect: 'sqlite', path, pragmas };
}

function setPragma(
  pragmas: Record<string, string>,
  name: string,
  value: string,
  invalid: (why: string) => Error,
): void {
  if (!ALLOWED_PRAGMAS.has(name)) throw invalid(`pragma ${name} is not allowed`);
  // Pragma values are spliced into SQL: words and integers only.
  if (!/^-?[A-Za-z0-9_]+$/.test(value)) throw invalid(`pragma ${name} has an invalid value "${value}"`);
  let normalized = value;
  if (name === 'foreign_keys') {
    if (!/^(1|on|true|yes)$/i.test(value)) {
      throw invalid('foreign_keys cannot be turned off: Latchkey relies on ON DELETE CASCADE');
    }
    normalized = 'ON';
  } else if (name === 'journal_mode' || name === 'synchronous' || name === 'locking_mode') {
    normalized = value.toUpperCase();
  }
  // Assigning keeps an overridden default where it was, so busy_timeout still runs first.
  pragmas[name] = normalized;
}

/**
 * Hides credentials in a connection string for messages and logs: the password of a URL's userinfo
 * (`postgres://u:***@h/db`) and any `password=` parameter (libpq accepts both). When in doubt it hides
 * more, never less.
 */
export function redactConnectionString(connectionString: string): string {
  let s = connectionString;
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(s);
  if (scheme) {
    const rest = scheme[2]!;
    // The userinfo ends at the last `@`: an unencoded `@`, `/` or `#` inside a password must not leak it.
    const at = rest.lastIndexOf('@');
    if (at !== -1) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      if (colon !== -1) s = `${scheme[1]}${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
    }
  }
  return s.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)/gi, '$1***');
}
