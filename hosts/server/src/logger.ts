import pino, { type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

/**
 * pino with secrets redacted wherever they may appear in a log object: credentials in headers, and any
 * member whose name says it is a secret.
 */
export const REDACT_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  'password',
  'secret',
  'client_secret',
  'token',
  'code',
  'encryptionKey',
  'connectionString',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.token',
  '*.encryptionKey',
  '*.connectionString',
];

/**
 * Human-readable lines by default (as Pocket ID prints), one JSON object per line with LOG_JSON=true.
 * Both write synchronously, so nothing is lost when a CLI command exits right after logging.
 */
export function createLogger(options: {
  level: string;
  json: boolean;
  destination?: NodeJS.WritableStream;
}): PinoLogger {
  const destination = options.json
    ? ((options.destination as pino.DestinationStream | undefined) ??
      pino.destination({ dest: 1, sync: true }))
    : pretty({
        sync: true,
        colorize: false,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        ignore: 'pid,hostname',
        destination: options.destination ?? 1,
      });
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
