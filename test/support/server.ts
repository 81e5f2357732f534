import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, silentLogger, type Logger } from '@latchkey/core';
import { createLatchkey, type Latchkey } from '@latchkey/server';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';

/** A free loopback port: WebAuthn needs APP_URL (with its port) before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  app: Latchkey;
  url: string;
  dir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  httpHost?: 'fastify' | 'express';
  dialect?: Dialect;
  env?: Record<string, string>;
  /** Reuse an existing database (e.g. a second instance on the same one). */
  database?: TestDatabase;
  logger?: Logger;
}

/** Starts a whole Latchkey, as `latchkey serve` would, on its own port, directory and database. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-srv-'));
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const port = await freePort();
  const env: Record<string, string> = {
    APP_URL: `http://localhost:${port}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    HTTP_HOST: options.httpHost ?? 'fastify',
    DB_CONNECTION_STRING: database.connectionString,
    ENCRYPTION_KEY: 'test-encryption-key-0123456789',
    DISABLE_RATE_LIMITING: 'true',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const { config } = loadConfig({ env, cwd: dir, dotenv: false });
  const app = await createLatchkey(config, options.logger ?? silentLogger, { env });
  await app.listen();
  return {
    app,
    url: config.appUrl,
    dir,
    env,
    async stop() {
      await app.close();
      if (!options.database) await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
