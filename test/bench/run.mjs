#!/usr/bin/env node
/**
 * `npm run bench`: starts each scenario's servers in their own processes, drives them with autocannon
 * from this process (so on this 2-core machine the load generator and the server each get a core), and
 * prints requests per second, p99 latency and the ratios to the bare frameworks. It prints figures; it
 * never asserts them (CONVENTIONS: benchmarks never assert timings) and exits 0 on a missed goal.
 *
 *   node test/bench/run.mjs [--only <scenario>[,<scenario>]] [--json] [--cpu-prof <dir>] [--list]
 *
 * Environment: BENCH_DURATION (seconds per measurement, default 10), BENCH_WARMUP (seconds per target
 * before the first round, default 2), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 50).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startServer, stopAll } from './lib/children.mjs';
import { check, measure } from './lib/load.mjs';
import { formatTable, summarize } from './lib/report.mjs';
import { scenarios } from './scenarios.mjs';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (flags.help || flags.list) {
  if (flags.help)
    console.log('usage: node test/bench/run.mjs [--only <scenario>] [--json] [--cpu-prof <dir>] [--list]');
  for (const s of scenarios) console.log(`  ${s.name.padEnd(10)} ${s.description}`);
  process.exit(0);
}

/** Bounded, so a typo in an environment variable cannot start an hour-long or unbounded run. */
function setting(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const settings = {
  duration: setting('BENCH_DURATION', 10, 1, 120),
  warmup: setting('BENCH_WARMUP', 2, 0, 30),
  rounds: setting('BENCH_ROUNDS', 2, 1, 10),
  connections: setting('BENCH_CONNECTIONS', 50, 1, 1000),
  pipelining: 1,
};

const wanted = (flags.only ?? []).flatMap((v) => v.split(',')).filter(Boolean);
const unknown = wanted.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? scenarios.filter((s) => wanted.includes(s.name)) : scenarios;

// With --json the table goes to stderr, so stdout holds only the JSON document.
const out = flags.json ? console.error : console.log;
const progress = (line) => process.stderr.write(`${line}\n`);
const nodeArgs = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : [];

const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
};
// Other processes on the machine take cores from the server and from autocannon: say so next to the figures.
const loadBefore = loadavg()[0];
const measurements = selected.reduce((n, s) => n + s.targets.length, 0) * settings.rounds;
const warmups = selected.reduce((n, s) => n + s.targets.length, 0) * settings.warmup;
out(
  [
    `Node ${machine.node}, ${machine.cpus} cores (${machine.cpuModel}), ${machine.platform}`,
    `autocannon in the runner process, each server in its own: ${settings.connections} connections, ` +
      `pipelining ${settings.pipelining}, ${settings.duration} s per measurement, ${settings.rounds} rounds, ` +
      `${settings.warmup} s warm-up per target`,
    'Latchkey: built packages (dist/), SQLite in a temp dir, LOG_LEVEL=warn (no request log lines), ' +
      'DISABLE_RATE_LIMITING=true',
    `Load average before the run: ${loadBefore.toFixed(2)}` +
      (loadBefore > 0.5 ? ' (other processes are busy: expect lower, noisier figures)' : ''),
    `About ${Math.ceil((measurements * settings.duration + warmups) / 60)} min.`,
    '',
  ].join('\n'),
);

let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
  progress('Interrupted; stopping the servers.');
  void stopAll().then(() => process.exit(130));
});

const summaries = [];
try {
  for (const scenario of selected) summaries.push(await runScenario(scenario));
} catch (error) {
  await stopAll();
  throw error;
}
if (!interrupted) {
  out(formatTable(summaries));
  if (flags.json)
    console.log(
      JSON.stringify({ machine: { ...machine, loadBefore }, settings, scenarios: summaries }, null, 2),
    );
}

async function runScenario(scenario) {
  progress(`${scenario.name}: starting ${Object.keys(scenario.servers).join(', ')}`);
  const servers = {};
  try {
    for (const [name, spec] of Object.entries(scenario.servers)) {
      servers[name] = await startServer(spec, { nodeArgs });
      // The pid names the server's file when profiling (--cpu-prof writes CPU.<date>.<time>.<pid>.*).
      progress(
        `  ${name}: ${[spec.script, ...(spec.args ?? [])].join(' ')} pid ${servers[name].pid} at ${servers[name].url}`,
      );
    }
    for (const target of scenario.targets) await check(servers[target.server].url, target.request);

    const load = { connections: settings.connections, pipelining: settings.pipelining };
    if (settings.warmup > 0) {
      for (const target of scenario.targets) {
        await measure(servers[target.server].url, target.request, { ...load, duration: settings.warmup });
      }
    }
    // Back to back, in alternating order (A B C, C B A, …), so drift over the run falls on both sides.
    const runs = Object.fromEntries(scenario.targets.map((t) => [t.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? scenario.targets : [...scenario.targets].reverse();
      for (const target of order) {
        if (interrupted) return summarize(scenario, runs);
        const result = await measure(servers[target.server].url, target.request, {
          ...load,
          duration: settings.duration,
        });
        runs[target.id].push(result);
        const failed = result.non2xx + result.errors > 0;
        progress(
          `  round ${round + 1}  ${target.label.padEnd(50)} ${Math.round(result.rps).toString().padStart(7)} req/s` +
            `  p99 ${result.p99} ms` +
            (failed ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''),
        );
      }
    }
    return summarize(scenario, runs);
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}
