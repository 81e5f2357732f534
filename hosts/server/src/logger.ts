import pino, { type Logger as PinoLogger } from 'pino';

/**
 * pino with secrets redacted wherever they may appear in a log object: credentials in headers, and any
 * member whose name says it is a secret.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.encryptionKey',
  '*.token',
  '*.code',
  '*.connectionString',
  'password',
  'secret',
  'client_secret',
  'encryptionKey',
  'connectionString',
];

export function createLogger(options: {
  level: string;
  json: boolean;
  destination?: NodeJS.WritableStream;
}): PinoLogger {
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      // Human-readable lines by default, JSON (one object per line) with LOG_JSON=true.
      ...(options.json ? {} : { formatters: { level: (label: string) => ({ level: label }) } }),
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true }),
  );
}
