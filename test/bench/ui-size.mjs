#!/usr/bin/env node
/**
 * The initial JavaScript of the sign-in page (`/login`), gzipped, against its budget of 60 KB
 * (issue 13). Measured from the built files in ui/dist, as the server sends them (gzip level 9,
 * core/src/http/static-files.ts):
 *
 * - what index.html loads up front: its scripts and `<link rel="modulepreload">`s, and their static
 *   imports (from Vite's manifest);
 * - plus the `/login` page's own chunk and its static imports, which load before the page can show.
 *
 * Then every other page's chunk (one per route, src/main.tsx), with its gzipped size, what opening it
 * adds to what /login loaded, and whether /login loads it. Issue 13: "Code for the account page and,
 * later, the admin console must not load on the sign-in route", so a signed-in page that /login loads
 * is flagged NOT SPLIT. Pages are found in the manifest, not listed here: a new page (the admin
 * console's) is measured, and counts as signed-in unless PUBLIC_PAGES names it.
 *
 * It prints figures and never fails on them (CONVENTIONS: benchmarks never assert).
 *
 *   node test/bench/ui-size.mjs [--json]      (run `npm run build` first)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../ui/dist');
const BUDGET = 60 * 1024;
const PAGE_DIR = 'src/pages/';
const LOGIN_PAGE = `${PAGE_DIR}login.tsx`;
/** The pages a person meets before anyone is signed in; every other page is a signed-in one. */
const PUBLIC_PAGES = [
  'login',
  'login-code',
  'setup',
  'signup',
  'interaction',
  'interaction-error',
  'not-found',
];

if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, '.vite/manifest.json'))) {
  console.error(`${dist} is not built: run \`npm run build\` first`);
  process.exit(2);
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
/** @type {Record<string, {file: string, imports?: string[], css?: string[], src?: string, isEntry?: boolean, isDynamicEntry?: boolean}>} */
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const byFile = new Map(Object.entries(manifest).map(([key, chunk]) => [chunk.file, key]));

const gzipped = new Map();
/** A built file's size as served: gzip -9. */
const gzip = (file) => {
  if (!gzipped.has(file)) gzipped.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  return gzipped.get(file);
};

/** The files, their static imports (recursively) and the CSS those chunks bring. */
function loads(start) {
  const files = new Set();
  const add = (file) => {
    if (files.has(file)) return;
    files.add(file);
    const chunk = manifest[byFile.get(file)];
    for (const css of chunk?.css ?? []) files.add(css);
    for (const imported of chunk?.imports ?? []) add(manifest[imported].file);
  };
  for (const file of start) add(file);
  return files;
}
const sum = (files, ext) => [...files].filter((f) => f.endsWith(ext)).reduce((n, f) => n + gzip(f), 0);

// What index.html itself asks for before anything runs.
const upFront = [
  ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
  ...[...html.matchAll(/<link\b[^>]*\brel="(?:modulepreload|stylesheet)"[^>]*\bhref="([^"]+)"/g)].map(
    (m) => m[1],
  ),
  ...[...html.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:modulepreload|stylesheet)"/g)].map(
    (m) => m[1],
  ),
].map((src) => src.replace(/^\//, ''));

const login = manifest[LOGIN_PAGE];
if (!login) {
  console.error(`${LOGIN_PAGE} is not a chunk of the build: is /login still split by route?`);
  process.exit(2);
}
const files = loads([...upFront, login.file]);
const rows = [...files]
  .filter((file) => file.endsWith('.js'))
  .map((file) => ({ file, bytes: readFileSync(join(dist, file)).length, gzip: gzip(file) }));
const total = sum(files, '.js');
const cssGzip = sum(files, '.css');

const pages = Object.entries(manifest)
  .filter(([key, chunk]) => chunk.isDynamicEntry && key.startsWith(PAGE_DIR) && key !== LOGIN_PAGE)
  .map(([key, chunk]) => {
    const page = key.slice(PAGE_DIR.length).replace(/\.[jt]sx?$/, '');
    // What opening this page after /login fetches: its chunk, and what that imports that /login did not.
    const adds = new Set([...loads([chunk.file])].filter((file) => !files.has(file)));
    return {
      page,
      signedIn: !PUBLIC_PAGES.includes(page),
      chunk: chunk.file,
      chunkGzip: gzip(chunk.file),
      addsJsGzip: sum(adds, '.js'),
      addsCssGzip: sum(adds, '.css'),
      loadedByLogin: files.has(chunk.file),
    };
  })
  .sort((a, b) => Number(b.signedIn) - Number(a.signedIn) || a.page.localeCompare(b.page));
const leaked = pages.filter((p) => p.signedIn && p.loadedByLogin).map((p) => p.page);

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({ budget: BUDGET, jsGzip: total, cssGzip, files: rows, pages, leaked }, null, 2),
  );
  process.exit(0);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('\nInitial JavaScript of /login (gzip -9, as served):\n');
console.log(`  ${'file'.padEnd(40)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}`);
for (const r of rows)
  console.log(`  ${r.file.padEnd(40)} ${kb(r.bytes).padStart(9)} ${kb(r.gzip).padStart(9)}`);
console.log(`  ${'total'.padEnd(40)} ${''.padStart(9)} ${kb(total).padStart(9)}`);
console.log(
  `\n  budget 60 KB: ${kb(total)} is ${Math.round((total / BUDGET) * 100)} % of it${total > BUDGET ? ' (OVER BUDGET)' : ''}`,
);
console.log(`  CSS, for the record: ${kb(cssGzip)} gzipped`);

console.log(
  '\nThe other pages, one chunk each (gzip -9); "adds" is what opening one fetches after /login:\n',
);
console.log(
  `  ${'page'.padEnd(20)} ${'signed in'.padEnd(10)} ${'chunk'.padStart(9)} ${'adds JS'.padStart(9)} ${'adds CSS'.padStart(9)}  loaded by /login`,
);
for (const p of pages) {
  const loaded = p.loadedByLogin ? (p.signedIn ? 'YES (NOT SPLIT)' : 'yes') : 'no';
  console.log(
    `  ${p.page.padEnd(20)} ${(p.signedIn ? 'yes' : '').padEnd(10)} ${kb(p.chunkGzip).padStart(9)} ${kb(p.addsJsGzip).padStart(9)} ${kb(p.addsCssGzip).padStart(9)}  ${loaded}`,
  );
}
const signedIn = pages.filter((p) => p.signedIn);
console.log(
  `\n  signed-in page code loaded by /login: ${leaked.length === 0 ? `none (0 of ${signedIn.length} pages)` : `${leaked.join(', ')} (NOT SPLIT)`}\n`,
);
