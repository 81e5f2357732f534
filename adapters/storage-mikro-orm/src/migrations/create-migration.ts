/**
 * Writes the next migration for both dialects from the entities:
 *
 *   npm run -w @latchkey/storage-mikro-orm migration:create -- <name> [--timestamp=YYYYMMDDhhmmss]
 *
 * For each dialect it creates a throwaway database, applies the migrations that already exist, lets
 * MikroORM's migrator diff that schema against the entities, and writes
 * `src/migrations/<dialect>/Migration<timestamp>_<name>.ts` plus that folder's `index.ts` (the explicit
 * `migrationsList`). Both dialects get the same timestamp, so their histories read side by side.
 *
 * PostgreSQL: `LATCHKEY_MIGRATION_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres) must be
 * allowed to CREATE DATABASE.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TSMigrationGenerator } from '@mikro-orm/migrations';
import { silentLogger } from '@latchkey/core';
import type { ParsedConnectionString } from '../connection.js';
import { DEFAULT_SQLITE_PRAGMAS, redactConnectionString } from '../connection.js';
import { migrationsFor, openOrm } from '../orm.js';

type Dialect = ParsedConnectionString['dialect'];

// Runs from dist/migrations/; writes into src/migrations/.
const SOURCE_DIR = fileURLToPath(new URL('../../src/migrations/', import.meta.url));
const PG_ADMIN_URL = process.env.LATCHKEY_MIGRATION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const LIST_NAME: Record<Dialect, string> = { sqlite: 'sqliteMigrations', postgresql: 'postgresqlMigrations' };
const DIALECT_LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--'));
  const timestamp =
    args.find((a) => a.startsWith('--timestamp='))?.slice('--timestamp='.length) ?? utcTimestamp(new Date());
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error('Usage: migration:create -- <snake_case_name> [--timestamp=YYYYMMDDhhmmss]');
  }
  if (!/^\d{14}$/.test(timestamp)) throw new Error('--timestamp must be YYYYMMDDhhmmss');

  for (const dialect of ['sqlite', 'postgresql'] as const) {
    const file = await generate(dialect, name, timestamp);
    console.log(
      file ? `${DIALECT_LABEL[dialect]}: wrote ${file}` : `${DIALECT_LABEL[dialect]}: no schema change`,
    );
  }
}

async function generate(dialect: Dialect, name: string, timestamp: string): Promise<string | null> {
  const dir = join(SOURCE_DIR, dialect);
  return withScratchDatabase(dialect, async (conn) => {
    const orm = await openOrm(conn, {
      logger: silentLogger,
      migrationGenerator: generatorClass(dialect, timestamp),
    });
    try {
      const migrator = orm.getMigrator();
      await migrator.up();
      const initial = migrationsFor(dialect).length === 0;
      const result = await migrator.createMigration(dir, false, initial, name);
      if (!result.fileName) return null;
      await writeIndex(dialect, dir);
      await prettify(join(dir, result.fileName));
      return join(dir, result.fileName);
    } finally {
      await orm.close(true);
    }
  });
}

async function withScratchDatabase<T>(
  dialect: Dialect,
  fn: (conn: ParsedConnectionString) => Promise<T>,
): Promise<T> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'lk-migration-'));
    try {
      return await fn({ dialect, path: join(dir, 'scratch.db'), pragmas: { ...DEFAULT_SQLITE_PRAGMAS } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const admin = await openOrm({ dialect, url: PG_ADMIN_URL }, { logger: silentLogger }).catch((err) => {
    throw new Error(
      `PostgreSQL is needed to generate its migration (LATCHKEY_MIGRATION_PG_URL=${redactConnectionString(PG_ADMIN_URL)}): ${String(err)}`,
    );
  });
  const dbName = `lk_migration_${randomBytes(6).toString('hex')}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  try {
    await admin.em.getConnection().execute(`create database ${dbName}`);
    return await fn({ dialect, url: url.toString() });
  } finally {
    await admin.em.getConnection().execute(`drop database if exists ${dbName} with (force)`);
    await admin.close(true);
  }
}

/**
 * MikroORM's TypeScript generator, with a fixed timestamp (shared by both dialects), a header, and
 * `create table` statements laid out one column per line so a reviewer can read them.
 */
function generatorClass(dialect: Dialect, timestamp: string) {
  return class LatchkeyMigrationGenerator extends TSMigrationGenerator {
    override async generate(
      diff: { up: string[]; down: string[] },
      path?: string,
      name?: string,
    ): Promise<[string, string]> {
      const className = this.namingStrategy.classToMigrationName(timestamp, name);
      const fileName = `${className}.ts`;
      const code = this.generateMigrationFile(className, diff);
      await writeFile(join(path ?? '.', fileName), code);
      return [code, fileName];
    }

    override generateMigrationFile(className: string, diff: { up: string[]; down: string[] }): string {
      const header =
        `// ${DIALECT_LABEL[dialect]} schema. Generated by \`npm run migration:create\` from src/entities, then reviewed.\n` +
        `// Never edit a migration that has been released: add a new one.\n`;
      return header + super.generateMigrationFile(className, diff);
    }

    override createStatement(sql: string, padLeft: number): string {
      if (!sql) return '\n';
      const readable = layoutCreateTable(dialect === 'sqlite' ? standardQuotes(sql) : sql);
      const escaped = readable.replace(/[`$\\]/g, '\\$&');
      const pad = ' '.repeat(padLeft);
      return `${pad}this.addSql(\`${escaped.split('\n').join(`\n${pad}`)}\`);\n`;
    }
  };
}

/**
 * MikroORM quotes SQLite identifiers with backticks, which would need escaping inside the template
 * literals of a migration; SQLite reads standard double quotes the same. String literals are left alone.
 */
function standardQuotes(sql: string): string {
  let out = '';
  let inString = false;
  for (const c of sql) {
    if (c === "'") inString = !inString;
    out += !inString && c === '`' ? '"' : c;
  }
  return out;
}

/** `create table t (a, b, c);` → one item per line. Other statements are short enough as they are. */
function layoutCreateTable(sql: string): string {
  const m = /^(create table \S+ )\((.*)\);$/s.exec(sql);
  if (!m) return sql;
  return `${m[1]}(\n${splitTopLevel(m[2]!)
    .map((item) => `  ${item}`)
    .join(',\n')}\n);`;
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(s: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === ',' && depth === 0) {
      items.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(s.slice(start).trim());
  return items;
}

async function writeIndex(dialect: Dialect, dir: string): Promise<void> {
  const classes = (await readdir(dir))
    .filter((f) => /^Migration\d{14}_\w+\.ts$/.test(f))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
  const code =
    `// Generated by \`npm run migration:create\`: every ${DIALECT_LABEL[dialect]} migration, in the order they apply.\n` +
    `// An explicit list rather than a glob, so migrations load the same from src/ and dist/.\n` +
    `import type { MigrationObject } from '@mikro-orm/core';\n` +
    classes.map((c) => `import { ${c} } from './${c}.js';\n`).join('') +
    `\nexport const ${LIST_NAME[dialect]}: MigrationObject[] = [\n` +
    classes.map((c) => `  { name: '${c}', class: ${c} },\n`).join('') +
    `];\n`;
  await writeFile(join(dir, 'index.ts'), code);
  await prettify(join(dir, 'index.ts'));
}

/** Formats with the repository's Prettier when it is installed (it is a root dev dependency). */
async function prettify(file: string): Promise<void> {
  const prettier = await import('prettier').catch(() => null);
  if (!prettier) return;
  const options = (await prettier.resolveConfig(file)) ?? {};
  const source = await readFile(file, 'utf8');
  await writeFile(file, await prettier.format(source, { ...options, filepath: file }));
}

function utcTimestamp(d: Date): string {
  return d.toISOString().replace(/[-T:]|\.\d{3}Z$/g, '');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
