#!/usr/bin/env node
/**
 * Passkey sign-in throughput on SQLite: login/start, a real ES256 assertion, login/finish with session
 * creation, over HTTP against a Latchkey in its own process. Reports sign-ins per second and the
 * server's CPU time per sign-in divided by the CPU time of a bare `verifyAuthenticationResponse` in the
 * same process (goal: at most 2.0). The client's signing runs in this process and does not count.
 * It prints figures and never asserts them.
 *
 *   node test/bench/passkey-signin.mjs [fastify|express]     BENCH_DURATION (s, default 10), BENCH_CONCURRENCY (default 8)
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const host = process.argv[2] ?? 'fastify';
const duration = Math.min(120, Math.max(1, Number(process.env.BENCH_DURATION ?? 10)));
const concurrency = Math.min(64, Math.max(1, Number(process.env.BENCH_CONCURRENCY ?? 8)));

// The software authenticator is TypeScript test support: compile it once into a temp dir.
const build = mkdtempSync(join(tmpdir(), 'latchkey-bench-authn-'));
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    join(root, 'test/support/webauthn/authenticator.ts'),
    '--outDir',
    build,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--types',
    'node',
  ],
  { stdio: 'inherit' },
);
const { SoftwareAuthenticator } = await import(pathToFileURL(join(build, 'authenticator.js')).href);

const child = fork(join(here, 'servers/latchkey-signin.mjs'), [host], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server for a look at where the time goes.
  execArgv: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
});
const next = (type) =>
  new Promise((resolve) =>
    child.on('message', function on(msg) {
      if (msg.type === type) {
        child.off('message', on);
        resolve(msg);
      }
    }),
  );
const { url } = await next('ready');

/** A tiny cookie-keeping client: the session cookie of each ceremony must go back with its finish. */
async function call(method, path, { body, cookie } = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const setCookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => !c.endsWith('='));
  return { status: res.status, json: await res.json().catch(() => undefined), cookies: setCookie };
}

const setup = await call('POST', '/api/signup/setup', {
  body: { username: 'bench', email: 'bench@example.com' },
});
const adminCookie = setup.cookies.find((c) => c.startsWith('access_token='));
// One passkey per concurrent loop: signature counters of one credential cannot race.
const devices = [];
for (let i = 0; i < concurrency; i++) {
  const device = new SoftwareAuthenticator({ alg: 'ES256' });
  const start = await call('GET', '/api/webauthn/register/start', { cookie: adminCookie });
  const challenge = start.cookies.find((c) => c.startsWith('session='));
  const finish = await call('POST', '/api/webauthn/register/finish', {
    body: device.register(start.json, { origin: url }),
    cookie: `${adminCookie}; ${challenge}`,
  });
  if (finish.status !== 200) throw new Error(`registration failed: ${JSON.stringify(finish.json)}`);
  devices.push(device);
}

async function signIn(device) {
  const start = await call('GET', '/api/webauthn/login/start');
  const challenge = start.cookies.find((c) => c.startsWith('session='));
  const finish = await call('POST', '/api/webauthn/login/finish', {
    body: device.authenticate(start.json, { origin: url }),
    cookie: challenge,
  });
  if (finish.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(finish.json)}`);
}

// Warm up, then measure.
await Promise.all(
  devices.map(async (d) => {
    for (let i = 0; i < 20; i++) await signIn(d);
  }),
);
child.send({ type: 'cpu-start' });
const { micros: startMicros } = await next('cpu-started');
let count = 0;
const end = Date.now() + duration * 1000;
const started = process.hrtime.bigint();
await Promise.all(
  devices.map(async (d) => {
    while (Date.now() < end) {
      await signIn(d);
      count++;
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
child.send({ type: 'cpu-stop' });
const { micros, at: endMicros, pid } = await next('cpu');
if (process.env.BENCH_CPU_PROF) {
  // The measured window, in the format test/bench/profile.mjs reads, so it leaves out the set-up,
  // the warm-up and the baseline's verifications: `node test/bench/profile.mjs <dir>`.
  const window = {
    scenario: 'passkey sign-in',
    target: host,
    label: host,
    round: 1,
    pid,
    startMicros,
    endMicros,
    total: count,
  };
  mkdirSync(process.env.BENCH_CPU_PROF, { recursive: true });
  writeFileSync(join(process.env.BENCH_CPU_PROF, 'windows.json'), `${JSON.stringify([window], null, 2)}\n`);
}

// Baseline: a real assertion from a fresh credential, verified in the server process.
const baselineDevice = new SoftwareAuthenticator({ alg: 'ES256' });
const reg = baselineDevice.register(
  {
    rp: { id: 'localhost', name: 'x' },
    user: { id: 'dXNlcg', name: 'u', displayName: 'u' },
    challenge: 'Y2hhbGxlbmdlLWZvci1yZWc',
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  },
  { origin: url },
);
const expectedChallenge = 'YmFzZWxpbmUtY2hhbGxlbmdl';
const assertion = baselineDevice.authenticate(
  { challenge: expectedChallenge, rpId: 'localhost' },
  { origin: url },
);
child.send({
  type: 'baseline',
  iterations: 2000,
  response: assertion,
  expectedChallenge,
  credentialId: reg.id,
  publicKey: Buffer.from(baselineDevice.credentials[0].publicKey).toString('base64'),
});
const baseline = await next('baseline');
child.send({ type: 'stop' });
rmSync(build, { recursive: true, force: true });

const perSignIn = micros / count;
const ratio = perSignIn / baseline.micros;
console.log(
  `Passkey sign-in on ${host} with SQLite (${concurrency} concurrent clients, ${duration} s, Node ${process.version})`,
);
console.log(`  sign-ins per second                         ${(count / seconds).toFixed(0)}`);
console.log(`  server CPU per sign-in                      ${(perSignIn / 1000).toFixed(3)} ms`);
console.log(`  bare verifyAuthenticationResponse CPU       ${(baseline.micros / 1000).toFixed(3)} ms`);
console.log(
  `  ratio (goal ≤ 2.0)                          ${ratio.toFixed(2)}  ${ratio <= 2 ? 'met' : 'MISSED'}`,
);
