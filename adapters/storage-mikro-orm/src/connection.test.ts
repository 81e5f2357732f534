import { describe, expect, it } from 'vitest';
import { DEFAULT_SQLITE_PRAGMAS, parseConnectionString, redactConnectionString } from './connection.js';

describe('parseConnectionString', () => {
  it('reads Pocket ID v1 default Go DSN into a path and pragmas', () => {
    const parsed = parseConnectionString(
      'file:data/pocket-id.db?_pragma=journal_mode(WAL)&_pragma=busy_timeout(2500)&_txlock=immediate',
    );
    expect(parsed).toEqual({
      dialect: 'sqlite',
      path: 'data/pocket-id.db',
      pragmas: { busy_timeout: '2500', journal_mode: 'WAL', synchronous: 'NORMAL', foreign_keys: 'ON' },
    });
  });

  it('applies our defaults to a plain path, busy_timeout first', () => {
    const parsed = parseConnectionString('data/latchkey.db');
    expect(parsed).toEqual({ dialect: 'sqlite', path: 'data/latchkey.db', pragmas: DEFAULT_SQLITE_PRAGMAS });
    expect(Object.keys(parsed.dialect === 'sqlite' ? parsed.pragmas : {})[0]).toBe('busy_timeout');
  });

  it('accepts mattn/go-sqlite3 parameters, with or without file:', () => {
    expect(parseConnectionString('data/x.db?_journal_mode=DELETE&_fk=1&_sync=full')).toMatchObject({
      path: 'data/x.db',
      pragmas: { journal_mode: 'DELETE', foreign_keys: 'ON', synchronous: 'FULL' },
    });
    expect(parseConnectionString('file:data/x.db?_busy_timeout=100')).toMatchObject({
      pragmas: { busy_timeout: '100' },
    });
  });

  it('reads file: URLs, absolute and percent-encoded', () => {
    expect(parseConnectionString('file:///var/lib/latchkey/db.sqlite')).toMatchObject({
      path: '/var/lib/latchkey/db.sqlite',
    });
    expect(parseConnectionString('file://localhost/srv/a%20b.db')).toMatchObject({ path: '/srv/a b.db' });
    expect(parseConnectionString('file:/srv/x.db')).toMatchObject({ path: '/srv/x.db' });
  });

  it('reads in-memory databases', () => {
    expect(parseConnectionString(':memory:')).toMatchObject({ dialect: 'sqlite', path: ':memory:' });
    expect(parseConnectionString('file::memory:?cache=shared')).toMatchObject({ path: ':memory:' });
    expect(parseConnectionString('file:x?mode=memory')).toMatchObject({ path: ':memory:' });
  });

  it('selects PostgreSQL from a postgres:// or postgresql:// URL and keeps it whole', () => {
    for (const url of ['postgres://u:p@db:5432/latchkey?sslmode=require', 'postgresql://db/latchkey']) {
      expect(parseConnectionString(url)).toEqual({ dialect: 'postgresql', url });
    }
  });

  it('accepts DB_PROVIDER when it agrees with the URL', () => {
    expect(parseConnectionString('postgres://db/x', 'postgres').dialect).toBe('postgresql');
    expect(parseConnectionString('data/x.db', 'sqlite').dialect).toBe('sqlite');
  });

  it('rejects DB_PROVIDER that disagrees, naming both variables and hiding the password', () => {
    const attempt = () => parseConnectionString('postgres://u:hunter2@db/x', 'sqlite');
    expect(attempt).toThrow(/DB_PROVIDER/);
    expect(attempt).toThrow(/DB_CONNECTION_STRING/);
    expect(attempt).not.toThrow(/hunter2/);
    expect(() => parseConnectionString('data/x.db', 'postgres')).toThrow(
      /DB_PROVIDER=postgres disagrees with DB_CONNECTION_STRING/,
    );
    expect(() => parseConnectionString('data/x.db', 'mysql' as never)).toThrow(/DB_PROVIDER/);
  });

  it('refuses what it cannot honour, naming DB_CONNECTION_STRING', () => {
    for (const bad of [
      '',
      'file:x.db?_pragma=writable_schema(1)',
      'file:x.db?_pragma=journal_mode(WAL;drop table users)',
      'file:x.db?_foreign_keys=0',
      'file:x.db?mode=ro',
      'file:x.db?_unknown=1',
      'file://otherhost/x.db',
      'file:?_fk=1',
    ]) {
      expect(() => parseConnectionString(bad), bad).toThrow(/DB_CONNECTION_STRING/);
    }
  });
});

describe('redactConnectionString', () => {
  it('hides the password of a URL', () => {
    expect(redactConnectionString('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
    expect(redactConnectionString('postgresql://u:s%40cret@h:5432/db?sslmode=require')).toBe(
      'postgresql://u:***@h:5432/db?sslmode=require',
    );
  });

  it('hides a password that contains unencoded separators', () => {
    const redacted = redactConnectionString('postgres://u:p/a#s@s@h/db');
    expect(redacted).toBe('postgres://u:***@h/db');
  });

  it('hides password parameters', () => {
    expect(redactConnectionString('postgres://h/db?user=u&password=secret&sslmode=require')).toBe(
      'postgres://h/db?user=u&password=***&sslmode=require',
    );
    expect(redactConnectionString("host=h password='a b' dbname=x")).toBe('host=h password=*** dbname=x');
  });

  it('leaves strings without credentials alone', () => {
    for (const s of ['postgres://u@h/db', 'data/latchkey.db', 'file:data/x.db?_pragma=busy_timeout(1)']) {
      expect(redactConnectionString(s)).toBe(s);
    }
  });
});
