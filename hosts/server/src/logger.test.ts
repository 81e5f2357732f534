import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(json: boolean) {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d));
  return { logger: createLogger({ level: 'info', json, destination: stream }), out: () => out };
}

describe('createLogger', () => {
  it('redacts secrets at the top level, one level down and in headers', () => {
    const { logger, out } = capture(true);
    logger.info(
      { client_secret: 's1', user: { password: 'p1' }, req: { headers: { authorization: 'Bearer t1' } } },
      'x',
    );
    logger.child({ reqId: 'r1' }).info({ connectionString: 'postgres://u:p2@h/db' }, 'y');
    const text = out();
    for (const secret of ['s1', 'p1', 'Bearer t1', 'p2']) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
    expect(JSON.parse(text.split('\n')[1]!)).toMatchObject({ reqId: 'r1', msg: 'y' });
  });

  it('prints readable lines unless LOG_JSON is set', () => {
    const { logger, out } = capture(false);
    logger.warn({ secret: 'zzz' }, 'something to look at');
    expect(out()).toMatch(/WARN.*something to look at/);
    expect(out()).not.toContain('zzz');
  });
});
