#!/usr/bin/env node
/**
 * `npm run bench`: starts each scenario's servers in their own processes, drives them with autocannon
 * (or lib/loop.mjs's closed loop) from this process (so on this 2-core machine the load generator and the
 * server each get a core), and prints requests per second, p99 latency and the ratios (to the bare
 * frameworks, to node-oidc-provider). Script scenarios (passkey sign-in, UI size) run as their own
 * process and print their own report. It prints figures; it never asserts them (CONVENTIONS: benchmarks
 * never assert timings) and exits 0 on a missed goal.
 *
 *   node test/bench/run.mjs [--only <scenario>[,<scenario>]] [--json] [--cpu-prof <dir>] [--list]
 *   npm run bench -- --only grants-es256        (npm run bench builds first, then runs this)
 *
 * Environment: BENCH_DURATION (seconds per measurement, default 10), BENCH_WARMUP (seconds per target
 * before the first round, default 2), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 50).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMicros, mainThreadCpuMicros, startServer, stopAll } from './lib/children.mjs';
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
  for (const s of scenarios) console.log(`  ${s.name.padEnd(15)} ${s.description}`);
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
/**
 * With --cpu-prof: when each measurement ran against which server process, on the clock V8's profiles
 * use (CLOCK_MONOTONIC, µs), written to <dir>/windows.json; `node test/bench/profile.mjs <dir>` cuts
 * the servers' profiles into one per target with it.
 */
const windows = [];
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

const require = createRequire(import.meta.url);
const versionOf = (name) => require(`${name}/package.json`).version;
const versions = {
  autocannon: versionOf('autocannon'),
  'oidc-provider': versionOf('oidc-provider'),
};
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
};
// Other processes on the machine take cores from the server and from autocannon: say so next to the figures.
const loadBefore = loadavg()[0];
const measured = selected.filter((s) => !s.script);
const measurements = measured.reduce((n, s) => n + s.targets.length, 0) * settings.rounds;
const warmups = measured.reduce((n, s) => n + s.targets.length, 0) * settings.warmup;
const scriptSeconds = selected.reduce((n, s) => n + (s.script ? s.seconds : 0), 0);
out(
  [
    `Node ${machine.node}, ${machine.cpus} cores (${machine.cpuModel}), ${machine.platform}`,
    ...(measured.length === 0
      ? []
      : [
          `autocannon ${versions.autocannon} in the runner process, each server in its own: ` +
            `${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.duration} s ` +
            `per measurement, ${settings.rounds} rounds, ${settings.warmup} s warm-up per target`,
          'Latchkey: built packages (dist/), SQLite in a temp dir, LOG_LEVEL=warn (no request log lines), ' +
            'DISABLE_RATE_LIMITING=true',
        ]),
    ...(measured.some((s) => s.name.startsWith('grants-'))
      ? [
          `node-oidc-provider ${versions['oidc-provider']}: its own http server, memory store ` +
            '(an unbounded Map adapter)',
        ]
      : []),
    `Load average before the run: ${loadBefore.toFixed(2)}` +
      (loadBefore > 0.5 ? ' (other processes are busy: expect lower, noisier figures)' : ''),
    `About ${Math.ceil((measurements * settings.duration + warmups + scriptSeconds) / 60)} min.`,
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
  for (const scenario of selected) {
    if (interrupted) break;
    if (scenario.script) {
      await runScript(scenario);
      continue;
    }
    const summary = await runScenario(scenario);
    summaries.push(summary);
    // Each table as soon as its scenario is done, in the order of the scenarios.
    if (!interrupted) out(formatTable([summary]));
  }
} catch (error) {
  await stopAll();
  throw error;
}
if (flags['cpu-prof']) {
  writeFileSync(join(flags['cpu-prof'], 'windows.json'), `${JSON.stringify(windows, null, 2)}\n`);
}
if (!interrupted) {
  if (flags.json)
    console.log(
      JSON.stringify(
        { machine: { ...machine, loadBefore }, versions, settings, scenarios: summaries },
        null,
        2,
      ),
    );
}

async function runScenario(scenario) {
  progress(`${scenario.name}: starting ${Object.keys(scenario.servers).join(', ')}`);
  const servers = {};
  const fixtures = {};
  const loads = {};
  try {
    for (const [name, spec] of Object.entries(scenario.servers)) {
      servers[name] = await startServer(spec, { nodeArgs });
      // The pid names the server's file when profiling (--cpu-prof writes CPU.<date>.<time>.<pid>.*).
      progress(
        `  ${name}: ${[spec.script, ...(spec.args ?? [])].join(' ')} pid ${servers[name].pid} at ${servers[name].url}`,
      );
      fixtures[name] = spec.prepare ? await spec.prepare(servers[name].url) : { url: servers[name].url };
    }
    for (const target of scenario.targets) {
      loads[target.id] = target.load
        ? await target.load(fixtures[target.server], settings)
        : { request: target.request };
    }
    for (const target of scenario.targets) {
      const load = loads[target.id];
      if (load.check) await load.check();
      else await check(servers[target.server].url, load.request);
    }

    const measureOnce = async (target, duration) => {
      const load = loads[target.id];
      await load.before?.();
      const options = { connections: settings.connections, pipelining: settings.pipelining, duration };
      const { pid } = servers[target.server];
      const startMicros = nowMicros();
      const cpuBefore = cpuMicros(pid);
      const mainBefore = mainThreadCpuMicros(pid);
      const result = load.measure
        ? await load.measure(options)
        : await measure(servers[target.server].url, load.request, options);
      const cpuAfter = cpuMicros(pid);
      const mainAfter = mainThreadCpuMicros(pid);
      result.window = { pid, startMicros, endMicros: nowMicros() };
      // The server's CPU time per answered request (per flow for the code flow).
      result.cpuPerRequest =
        cpuBefore === null || cpuAfter === null || result.total === 0
          ? null
          : (cpuAfter - cpuBefore) / result.total;
      result.mainCpuPerRequest =
        mainBefore === null || mainAfter === null || result.total === 0
          ? null
          : (mainAfter - mainBefore) / result.total;
      return result;
    };
    if (settings.warmup > 0) {
      for (const target of scenario.targets) await measureOnce(target, settings.warmup);
    }
    // Back to back, in alternating order (A B C, C B A, …), so drift over the run falls on both sides.
    const runs = Object.fromEntries(scenario.targets.map((t) => [t.id, []]));
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? scenario.targets : [...scenario.targets].reverse();
      for (const target of order) {
        if (interrupted) return summarize(scenario, runs);
        const { window, ...result } = await measureOnce(target, settings.duration);
        windows.push({
          scenario: scenario.name,
          target: target.id,
          label: target.label,
          round: round + 1,
          ...window,
          total: result.total,
        });
        runs[target.id].push(result);
        const failed = result.non2xx + result.errors > 0;
        progress(
          `  round ${round + 1}  ${target.label.padEnd(50)} ${Math.round(result.rps).toString().padStart(7)} req/s` +
            `  p99 ${result.p99} ms` +
            (result.cpuPerRequest === null ? '' : `  server CPU ${Math.round(result.cpuPerRequest)} µs/req`) +
            (result.mainCpuPerRequest === null
              ? ''
              : ` (main thread ${Math.round(result.mainCpuPerRequest)})`) +
            (failed ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''),
        );
      }
    }
    return summarize(scenario, runs);
  } finally {
    for (const load of Object.values(loads)) load.close?.();
    for (const fixture of Object.values(fixtures)) fixture.close?.();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

/** A benchmark with its own driver: its report goes to our stdout (stderr with --json). */
async function runScript(scenario) {
  progress(`${scenario.name}: node test/bench/${[scenario.script, ...(scenario.args ?? [])].join(' ')}`);
  const child = spawn(
    process.execPath,
    [join(dirname(fileURLToPath(import.meta.url)), scenario.script), ...(scenario.args ?? [])],
    {
      stdio: ['ignore', flags.json ? process.stderr : 'inherit', 'inherit'],
      env: {
        ...process.env,
        ...(flags['cpu-prof'] ? { BENCH_CPU_PROF: flags['cpu-prof'] } : {}),
      },
    },
  );
  const [code, signal] = await once(child, 'exit');
  if (code !== 0 && !interrupted) {
    throw new Error(`${scenario.script} exited with code ${code}${signal ? ` (${signal})` : ''}`);
  }
}
