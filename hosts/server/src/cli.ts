import { writeFile, rename } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ConfigError,
  loadConfig,
  MIN_ENCRYPTION_KEY_BYTES,
  OneTimeAccessService,
  parseSigningAlg,
  SIGNING_ALGS,
  type AppConfig,
} from '@latchkey/core';
import { createLatchkey, openCore } from './app.js';
import { createLogger } from './logger.js';
import { lowerHelperThreads } from './thread-priority.js';

/**
 * The `latchkey` CLI. Every command reads the same environment and `.env` as the server. A bad
 * variable or flag exits with status 1 and a message naming it.
 */
export function buildCli(): Command {
  const program = new Command('latchkey')
    .description('Latchkey: a passkey-only OpenID Connect provider')
    .showHelpAfterError()
    .exitOverride((err) => {
      throw err;
    });

  program
    .command('serve', { isDefault: true })
    .description('run the server (the default command)')
    .action(async () => {
      const { config, logger, env } = setup();
      const app = await createLatchkey(config, logger, { env });
      let address: string;
      try {
        address = await app.listen();
      } catch (error) {
        await app.close().catch(() => undefined);
        const where = config.unixSocket
          ? `UNIX_SOCKET ${config.unixSocket}`
          : `HOST:PORT ${config.host}:${config.port}`;
        throw Object.assign(new Error(`Cannot listen on ${where}: ${(error as Error).message}`), {
          code: (error as { code?: string }).code,
        });
      }
      logger.info(
        { address, httpHost: config.httpHost },
        `Latchkey is listening on ${address} (issuer ${config.appUrl})`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: exiting at once');
          process.exit(1);
        }
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing requests in flight');
        app.close().then(
          () => {
            logger.info('stopped');
            process.exitCode = 0;
          },
          (err: unknown) => {
            logger.error({ err }, 'error while shutting down');
            process.exitCode = 1;
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      // After the signal handlers: a SIGTERM that arrives meanwhile still stops the server gracefully.
      try {
        const helpers = await lowerHelperThreads(config.helperThreadNice);
        if (helpers) logger.info(helpers, 'helper threads run below the event loop (HELPER_THREAD_NICE)');
      } catch (err) {
        // A priority is a tuning, not a reason to stop serving.
        logger.warn(
          { err },
          'could not lower the helper threads (HELPER_THREAD_NICE); they keep their priority',
        );
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const { config, logger } = setup();
      const { storage } = await openCore(config, logger, { migrate: false });
      try {
        const applied = await storage.database.migrate();
        console.log(
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
            : 'The database is up to date.',
        );
      } finally {
        await storage.database.close();
      }
    });

  program
    .command('one-time-access-token')
    .description('print a one-hour login link for a user, for account recovery')
    .argument('<username|email>', 'the user to sign in as')
    .action(async (who: string) => {
      const { config, logger } = setup();
      const { storage } = await openCore(config, logger, { migrate: true });
      try {
        const link = await storage.database.withScope(async () => {
          const user = (await storage.users.findByUsername(who)) ?? (await storage.users.findByEmail(who));
          if (!user) return null;
          const codes = new OneTimeAccessService({
            tokens: storage.oneTimeAccessTokens,
            users: storage.users,
          });
          const { code } = await codes.create(user.id, 60 * 60_000);
          return `${config.appUrl}/lc/${code}`;
        });
        if (!link)
          throw new Error(`No user has the username or email "${who}" (the <username|email> argument)`);
        console.log(link);
      } finally {
        await storage.database.close();
      }
    });

  program
    .command('key-rotate')
    .description('make a new signing key current; the old public key stays in the JWKS for the grace period')
    .addOption(new Option('--alg <alg>', 'signing algorithm').choices([...SIGNING_ALGS]).default('RS256'))
    .addOption(new Option('--crv <crv>', 'curve for EdDSA').choices(['Ed25519']))
    .option('-y, --yes', 'do not ask for confirmation (accepted for Pocket ID scripts; rotation never asks)')
    .action(async (opts: { alg: string; crv?: string }) => {
      const { alg, crv } = parseSigningAlg(opts.alg, opts.crv);
      const { config, logger } = setup();
      const { storage, keys } = await openCore(config, logger, { migrate: true });
      try {
        const kid = await storage.database.withScope(async () => {
          await keys.init();
          return keys.rotate(alg, crv);
        });
        console.log(
          `New ${alg} signing key ${kid} is current. Running servers pick it up within ${config.keyRefreshIntervalSeconds} s; ` +
            `the previous public key stays in the JWKS for ${config.keyRotationGraceHours} h.`,
        );
      } finally {
        await storage.database.close();
      }
    });

  program
    .command('encryption-key-rotate')
    .description('re-encrypt everything encrypted at rest under a new encryption key')
    .requiredOption(
      '--new-key <key>',
      `the new ENCRYPTION_KEY (at least ${MIN_ENCRYPTION_KEY_BYTES} bytes)`,
      (value: string) => {
        if (Buffer.byteLength(value) < MIN_ENCRYPTION_KEY_BYTES) {
          throw new InvalidArgumentError(`--new-key must be at least ${MIN_ENCRYPTION_KEY_BYTES} bytes long`);
        }
        return value;
      },
    )
    .action(async (opts: { newKey: string }) => {
      const { config, logger } = setup();
      const newKey = Buffer.from(opts.newKey);
      const { storage, keys } = await openCore(config, logger, { migrate: true });
      try {
        const count = await storage.database.withScope(async () => {
          await keys.init();
          return keys.reencryptAll(newKey);
        });
        console.log(`Re-encrypted ${count} signing key(s).`);
        await adoptNewKey(config, newKey);
      } finally {
        await storage.database.close();
      }
    });

  return program;
}

/** After re-encryption the old key no longer opens anything: put the new one where the old one came from. */
async function adoptNewKey(config: AppConfig, newKey: Buffer): Promise<void> {
  if (config.encryptionKeyPath && config.encryptionKeySource !== 'env') {
    const tmp = `${config.encryptionKeyPath}.${process.pid}.tmp`;
    await writeFile(tmp, newKey, { mode: 0o600 });
    await rename(tmp, config.encryptionKeyPath);
    console.log(
      `Wrote the new key to ${config.encryptionKeyPath}. Back it up: the old key no longer decrypts anything.`,
    );
  } else {
    console.log(
      'Now set ENCRYPTION_KEY to the new key before the next start: the old key no longer decrypts anything.',
    );
  }
}

function setup() {
  const { config, warnings, env } = loadConfig();
  const logger = createLogger({ level: config.logLevel, json: config.logJson });
  for (const warning of warnings) logger.warn(warning);
  return { config, logger, env };
}

/** Runs the CLI; any failure prints one clear line and sets a non-zero exit status. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const err = error as { code?: string; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      // commander already printed its message (help, a bad flag, a missing argument)
      process.exitCode = err.exitCode ?? 1;
      return;
    }
    if (error instanceof ConfigError) {
      console.error(`latchkey: ${error.message}`);
    } else {
      const code = err.code ? ` [${err.code}]` : '';
      console.error(`latchkey: ${err.message ?? String(error)}${code}`);
    }
    // Exit now: a half-started server may still hold handles (a database pool, timers).
    process.exit(1);
  }
}
