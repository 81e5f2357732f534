import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { parseDuration } from './duration.js';
import type { Logger } from './logger.js';

function recordingLogger(): Logger & { errors: unknown[] } {
  const errors: unknown[] = [];
  const logger = {
    errors,
    debug() {},
    info() {},
    warn() {},
    error(obj: unknown) {
      errors.push(obj);
    },
    child: () => logger,
  };
  return logger;
}

describe('EventBus', () => {
  it('delivers to every listener, and a failing listener never fails the emitter', async () => {
    const logger = recordingLogger();
    const bus = new EventBus(logger);
    const seen: string[] = [];
    bus.on('signing_key.rotated', () => {
      throw new Error('listener broke');
    });
    bus.on('signing_key.rotated', async (p) => {
      seen.push(p.kid);
    });
    await expect(bus.emit('signing_key.rotated', { kid: 'k1', alg: 'RS256' })).resolves.toBeUndefined();
    expect(seen).toEqual(['k1']);
    expect(logger.errors).toHaveLength(1);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new EventBus(recordingLogger());
    let calls = 0;
    const off = bus.on('signing_key.rotated', () => void calls++);
    await bus.emit('signing_key.rotated', { kid: 'a', alg: 'ES256' });
    off();
    await bus.emit('signing_key.rotated', { kid: 'b', alg: 'ES256' });
    expect(calls).toBe(1);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', '1x', 'h', '1h 30m'])('refuses %j', (text) =>
    expect(() => parseDuration(text)).toThrow(/Invalid duration/),
  );
});
