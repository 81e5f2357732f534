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
 * It also lists any chunk of the signed-in pages that /login would load (there should be none: pages
 * are split by route). It prints figures and never fails on them (CONVENTIONS: benchmarks never assert).
 *
 *   node test/bench/ui-size.mjs [--json]      (run `npm run build` first)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../ui/dist');
const BUDGET = 60 * 1024;
const LOGIN_PAGE = 'src/pages/login.tsx';
const SIGNED_IN_PAGES = ['src/pages/home.tsx', 'src/pages/setup.tsx'];

if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, '.vite/manifest.json'))) {
  console.error(`${dist} is not built: run \`npm run build\` first`);
  process.exit(2);
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
/** @type {Record<string, {file: string, imports?: string[], css?: string[], src?: string, isEntry?: boolean}>} */
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const byFile = new Map(Object.entries(manifest).map(([key, chunk]) => [chunk.file, key]));

// What index.html itself asks for before anything runs.
const upFront = [
  ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
  ...[...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]),
  ...[...html.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="modulepreload"/g)].map((m) => m[1]),
].map((src) => src.replace(/^\//, ''));

const files = new Set();
const add = (file) => {
  if (files.has(file)) return;
  files.add(file);
  const key = byFile.get(file);
  for (const imported of (key && manifest[key].imports) ?? []) add(manifest[imported].file);
};
for (const file of upFront) add(file);
const login = manifest[LOGIN_PAGE];
if (!login) {
  console.error(`${LOGIN_PAGE} is not a chunk of the build: is /login still split by route?`);
  process.exit(2);
}
add(login.file);

const rows = [...files].map((file) => {
  const bytes = readFileSync(join(dist, file));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const js = rows.filter((r) => r.file.endsWith('.js'));
const total = js.reduce((sum, r) => sum + r.gzip, 0);
const css = [...files]
  .flatMap((file) => manifest[byFile.get(file)]?.css ?? [])
  .concat(upFront.filter((f) => f.endsWith('.css')));
const cssGzip = [...new Set(css)].reduce(
  (sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length,
  0,
);
const leaked = SIGNED_IN_PAGES.filter((page) => manifest[page] && files.has(manifest[page].file));

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ budget: BUDGET, jsGzip: total, cssGzip, files: rows, leaked }, null, 2));
  process.exit(0);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('\nInitial JavaScript of /login (gzip -9, as served):\n');
console.log(`  ${'file'.padEnd(40)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}`);
for (const r of js)
  console.log(`  ${r.file.padEnd(40)} ${kb(r.bytes).padStart(9)} ${kb(r.gzip).padStart(9)}`);
console.log(`  ${'total'.padEnd(40)} ${''.padStart(9)} ${kb(total).padStart(9)}`);
console.log(
  `\n  budget 60 KB: ${kb(total)} is ${Math.round((total / BUDGET) * 100)} % of it${total > BUDGET ? ' (OVER BUDGET)' : ''}`,
);
console.log(`  CSS, for the record: ${kb(cssGzip)} gzipped`);
console.log(
  `  signed-in page code loaded by /login: ${leaked.length === 0 ? 'none' : leaked.join(', ') + ' (NOT SPLIT)'}\n`,
);
