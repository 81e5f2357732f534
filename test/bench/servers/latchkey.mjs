/**
 * A whole Latchkey, as `latchkey serve` composes it, for the bench runner:
 * `latchkey.mjs <fastify|express> [<signing alg>]`.
 * It runs from the built packages (dist/), on SQLite in a temp dir, with the production pino logger at
 * LOG_LEVEL=warn (request lines are info, so none are written) and rate limiting off. With an algorithm
 * (ES256, RS256, …) a key of it is made current before the server listens, as `latchkey key-rotate
 * --alg` does; without one the first start's default key (RS256) signs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@latchkey/core';
import { createLatchkey, createLogger, lowerHelperThreads } from '@latchkey/server';
import { announce, freePort } from './lifecycle.mjs';

const host = process.argv[2];
const alg = process.argv[3];
if (host !== 'fastify' && host !== 'express') {
  console.error('usage: latchkey.mjs <fastify|express> [<signing alg>]');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-'));
const port = await freePort();
const { config, warnings } = loadConfig({
  env: {
    APP_URL: `http://localhost:${port}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    HTTP_HOST: host,
    DB_CONNECTION_STRING: join(dir, 'latchkey.db'),
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789',
    DISABLE_RATE_LIMITING: 'true',
    LOG_LEVEL: 'warn',
    // Extra settings a scenario needs (a later passkey or grant scenario) come from the runner.
    ...JSON.parse(process.env.LATCHKEY_BENCH_ENV ?? '{}'),
  },
  cwd: dir,
  dotenv: false,
});
const logger = createLogger({ level: config.logLevel, json: config.logJson });
for (const warning of warnings) logger.warn(warning);

const app = await createLatchkey(config, logger);
if (alg) await app.storage.database.withScope(() => app.keys.rotate(alg));
const url = await app.listen();
// As `latchkey serve` does once it listens (HELPER_THREAD_NICE).
await lowerHelperThreads(config.helperThreadNice);
announce(url, async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});
