import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../kernel/event-bus.js';
import { silentLogger } from '../kernel/logger.js';
import type { NewAuditLogEntry } from './audit-log.js';
import type { AuditLogRepository } from './audit-log.repository.port.js';
import { AuditService } from './audit.service.js';
import { localNetworkIpLocator } from './ip-locator.port.js';

const client = { ip: '192.168.1.20', userAgent: 'curl/8.5.0' };

function setup(insert: (e: NewAuditLogEntry) => Promise<unknown> = async (e) => e) {
  const written: NewAuditLogEntry[] = [];
  const repository = {
    insert: vi.fn(async (e: NewAuditLogEntry) => {
      await insert(e);
      written.push(e);
      return { ...e, createdAt: e.createdAt ?? new Date() };
    }),
  } as unknown as AuditLogRepository;
  const logger = { ...silentLogger, error: vi.fn() };
  const bus = new EventBus(silentLogger);
  new AuditService({
    repository,
    ipLocator: localNetworkIpLocator(),
    users: { findById: async () => null },
    logger,
  }).subscribe(bus);
  return { bus, written, logger };
}

describe('AuditService', () => {
  it('maps sign-ins to SIGN_IN and TOKEN_SIGN_IN with IP, location and UA; none for setup', async () => {
    const { bus, written } = setup();
    await bus.emit('user.signed_in', { userId: 'u1', method: 'passkey', client });
    await bus.emit('user.signed_in', { userId: 'u1', method: 'login_code', client });
    await bus.emit('user.signed_in', { userId: 'u1', method: 'setup', client });
    expect(written.map((e) => e.event)).toEqual(['SIGN_IN', 'TOKEN_SIGN_IN']);
    expect(written[0]).toMatchObject({
      userId: 'u1',
      ipAddress: '192.168.1.20',
      userAgent: 'curl/8.5.0',
      country: 'Internal Network',
      city: 'LAN',
      data: {},
    });
  });

  it('writes ACCOUNT_CREATED for signup only, with the token or open_signup', async () => {
    const { bus, written } = setup();
    await bus.emit('user.created', { userId: 'u1', via: 'setup', client });
    await bus.emit('user.created', { userId: 'u2', via: 'admin', actorUserId: 'u1', client });
    await bus.emit('user.created', { userId: 'u3', via: 'signup', client });
    await bus.emit('user.created', { userId: 'u4', via: 'signup', signupToken: 'AbC123', client });
    expect(written.map((e) => [e.event, e.userId, e.data])).toEqual([
      ['ACCOUNT_CREATED', 'u3', { method: 'open_signup' }],
      ['ACCOUNT_CREATED', 'u4', { signupToken: 'AbC123' }],
    ]);
  });

  it('maps client authorizations to the (NEW_)CLIENT_ and (NEW_)DEVICE_CODE_AUTHORIZATION events', async () => {
    const { bus, written } = setup();
    const base = { userId: 'u1', clientId: 'c1', clientName: 'Grafana', client };
    await bus.emit('client.authorized', { ...base, firstTime: true, via: 'authorize' });
    await bus.emit('client.authorized', { ...base, firstTime: false, via: 'authorize' });
    await bus.emit('client.authorized', { ...base, firstTime: true, via: 'device' });
    await bus.emit('client.authorized', { ...base, firstTime: false, via: 'device' });
    expect(written.map((e) => [e.event, e.data])).toEqual([
      ['NEW_CLIENT_AUTHORIZATION', { clientName: 'Grafana' }],
      ['CLIENT_AUTHORIZATION', { clientName: 'Grafana' }],
      ['NEW_DEVICE_CODE_AUTHORIZATION', { clientName: 'Grafana' }],
      ['DEVICE_CODE_AUTHORIZATION', { clientName: 'Grafana' }],
    ]);
  });

  it('records a refused sign-count regression with the stored counter', async () => {
    const { bus, written } = setup();
    await bus.emit('passkey.sign_count_regressed', {
      userId: 'u1',
      passkeyId: 'p1',
      storedCount: 7,
      credentialId: Buffer.from('hi').toString('base64url'),
      client: { ip: null, userAgent: null },
    });
    expect(written[0]).toMatchObject({
      event: 'PASSKEY_SIGN_COUNT_REGRESSED',
      ipAddress: null,
      country: null,
      data: { credentialID: '6869', storedSignCount: '7' },
    });
  });

  it('logs a failed write and never fails the event', async () => {
    const { bus, logger } = setup(async () => {
      throw new Error('disk full');
    });
    await expect(
      bus.emit('user.signed_in', { userId: 'u1', method: 'passkey', client }),
    ).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'SIGN_IN', userId: 'u1' }),
      'could not write an audit log entry',
    );
  });
});
