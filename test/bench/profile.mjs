#!/usr/bin/env node
/**
 * Where a server's time goes, per target: cuts the V8 CPU profiles of `run.mjs --cpu-prof <dir>` into
 * the measurement windows run.mjs wrote to <dir>/windows.json, and prints for each target the server's
 * busy time per request and its self time by area (storage, JWT and crypto, HTTP, GC, …), by package
 * and by function.
 *
 *   node test/bench/profile.mjs <dir> [--only <target id>[,…]] [--top <n>]
 *
 * A function's own samples go to the package its file belongs to (node_modules/<package>, a Latchkey
 * workspace, `node:` internals, or the VM: GC, native code such as `writev`). Native work a JavaScript
 * function calls into (better-sqlite3's statements, OpenSSL's signatures) counts as that function's self
 * time. "Busy" is the samples that are not idle, in wall time: on a busy machine it includes time the
 * process waited for a core, so the shares are what to read; run.mjs's CPU µs/req is the better total.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { only: { type: 'string' }, top: { type: 'string', default: '15' } },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: node test/bench/profile.mjs <dir> [--only <target id>[,…]] [--top <n>]');
  process.exit(2);
}
const top = Number(values.top);
const only = values.only?.split(',');
const windows = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')).filter(
  (w) => !only || only.includes(w.target),
);

/** One profile per server process: its samples with their timestamps and frames. */
const profiles = new Map();
function profileOf(pid) {
  if (!profiles.has(pid)) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
    if (!file) throw new Error(`no profile of pid ${pid} in ${dir}`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const times = [];
    let t = profile.startTime;
    for (const delta of profile.timeDeltas) times.push((t += delta));
    profiles.set(pid, { nodes, samples: profile.samples, times, deltas: profile.timeDeltas });
  }
  return profiles.get(pid);
}

const VM = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);
function packageOf(frame) {
  const url = frame.url;
  if (VM.has(frame.functionName)) return frame.functionName;
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    // Workspaces are linked into node_modules/@latchkey; their files resolve to the real paths, but
    // be safe either way.
    return name.startsWith('@latchkey/') ? `latchkey ${name.slice('@latchkey/'.length)}` : name;
  }
  if (url.includes('/test/bench/')) return 'bench script';
  const workspace = /\/(core|adapters\/[^/]+|hosts\/[^/]+)\//.exec(url);
  return workspace ? `latchkey ${workspace[1].replace(/^(adapters|hosts)\//, '')}` : url;
}
/** Coarse areas, so two providers' profiles read side by side. */
const AREAS = [
  [
    'storage (MikroORM, knex, better-sqlite3)',
    /^(@mikro-orm\/|knex$|better-sqlite3$|tarn$|dataloader$|sqlstring)/,
  ],
  ['JWT and crypto (jose, node:crypto)', /^(jose$|crypto$)/],
  [
    'HTTP (Fastify/Koa, node:http, sockets)',
    /^(fastify$|find-my-way$|koa|@koa\/|http$|net$|light-my-request$|avvio$)/,
  ],
  ['garbage collection', /^\(garbage collector\)$/],
  ['Latchkey code', /^latchkey /],
  ['node-oidc-provider code', /^oidc-provider$/],
  ['the bench server script (the peer’s Map adapter)', /^bench script$/],
];
/** node: internals by module family (crypto, http, net), everything else by package. */
function areaOf(frame, pkg) {
  let key = pkg;
  if (pkg === 'node: internals') {
    const url = frame.url;
    key = /crypto/.test(url)
      ? 'crypto'
      : /_http|http/.test(url)
        ? 'http'
        : /net|stream_base|tcp/.test(url)
          ? 'net'
          : 'node';
  } else if (
    frame.functionName === 'writev' ||
    frame.functionName === 'writeUtf8String' ||
    frame.functionName === 'writeLatin1String'
  ) {
    key = 'net';
  }
  return AREAS.find(([, re]) => re.test(key))?.[0] ?? 'other (async hooks, promises, node, native)';
}
const functionOf = (frame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(core|adapters|hosts|test)\//, '$1/')}:${frame.lineNumber + 1}`;

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1).padStart(5)} %`;

for (const w of windows) {
  const p = profileOf(w.pid);
  const byPackage = new Map();
  const byFunction = new Map();
  const byArea = new Map();
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    if (p.times[i] < w.startMicros || p.times[i] > w.endMicros) continue;
    const frame = p.nodes.get(p.samples[i]).callFrame;
    if (frame.functionName === '(idle)') continue;
    const micros = p.deltas[i];
    busy += micros;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const area = areaOf(frame, pkg);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    const fn = functionOf(frame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  }
  const seconds = (w.endMicros - w.startMicros) / 1e6;
  console.log(
    `${w.scenario} ${w.label} (round ${w.round}, pid ${w.pid}): ${w.total} requests in ${seconds.toFixed(1)} s; ` +
      `server busy ${(busy / 1000).toFixed(0)} ms (${pct(busy / 1e6, seconds).trim()} of one core), ` +
      `${w.total > 0 ? (busy / w.total).toFixed(0) : '-'} µs busy per request`,
  );
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log('  self time by area');
  for (const [name, micros] of sorted(byArea)) console.log(`    ${pct(micros, busy)}  ${name}`);
  console.log('  self time by package');
  for (const [name, micros] of sorted(byPackage)) console.log(`    ${pct(micros, busy)}  ${name}`);
  console.log('  self time by function');
  for (const [name, micros] of sorted(byFunction)) console.log(`    ${pct(micros, busy)}  ${name}`);
  console.log('');
}
