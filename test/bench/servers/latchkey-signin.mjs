/**
 * Latchkey for the passkey sign-in benchmark, started with `fork` so the runner can ask it over IPC for
 * its own CPU time (`process.cpuUsage`) around the load, and for the CPU time of a bare
 * `verifyAuthenticationResponse` in this same process (the baseline the goal is expressed against).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { loadConfig } from '@latchkey/core';
import { createLatchkey, createLogger, lowerHelperThreads } from '@latchkey/server';
import { freePort } from './lifecycle.mjs';

const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-signin-'));
const port = await freePort();
const env = {
  APP_URL: `http://localhost:${port}`,
  HOST: '127.0.0.1',
  PORT: String(port),
  HTTP_HOST: process.argv[2] ?? 'fastify',
  DB_CONNECTION_STRING: join(dir, 'latchkey.db'),
  ENCRYPTION_KEY: 'bench-encryption-key-0123456789',
  DISABLE_RATE_LIMITING: 'true',
  LOG_LEVEL: 'warn',
};
const { config } = loadConfig({ env, cwd: dir, dotenv: false });
const app = await createLatchkey(config, createLogger({ level: 'warn', json: true }), { env });
await app.listen();
// As `latchkey serve` does once it listens (HELPER_THREAD_NICE).
await lowerHelperThreads(config.helperThreadNice);

let started;
/** The clock V8's CPU profiles use (CLOCK_MONOTONIC, µs), so the runner can mark the measured window. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);
process.on('message', async (msg) => {
  if (msg.type === 'cpu-start') {
    started = process.cpuUsage();
    process.send({ type: 'cpu-started', micros: nowMicros() });
  } else if (msg.type === 'cpu-stop') {
    const used = process.cpuUsage(started);
    process.send({ type: 'cpu', micros: used.user + used.system, at: nowMicros(), pid: process.pid });
  } else if (msg.type === 'baseline') {
    // The same verification the sign-in does, with nothing around it: no HTTP, no database, no session.
    const args = {
      response: msg.response,
      expectedChallenge: msg.expectedChallenge,
      expectedOrigin: config.appUrl,
      expectedRPID: 'localhost',
      credential: {
        id: msg.credentialId,
        publicKey: new Uint8Array(Buffer.from(msg.publicKey, 'base64')),
        counter: 0,
      },
      requireUserVerification: true,
    };
    for (let i = 0; i < 50; i++) await verifyAuthenticationResponse(args); // warm up
    const before = process.cpuUsage();
    for (let i = 0; i < msg.iterations; i++) await verifyAuthenticationResponse(args);
    const used = process.cpuUsage(before);
    process.send({ type: 'baseline', micros: (used.user + used.system) / msg.iterations });
  } else if (msg.type === 'stop') {
    await app.close();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.send({ type: 'ready', url: config.appUrl });
