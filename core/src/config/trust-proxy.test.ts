import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.errors.js';
import { loadConfig } from './config-loader.js';
import { isTrustedProxy, parseTrustProxy } from './trust-proxy.js';

function load(trustProxy: string | undefined) {
  return loadConfig({ dotenv: false, env: { ENCRYPTION_KEY: 'k'.repeat(32), TRUST_PROXY: trustProxy } })
    .config;
}

describe('TRUST_PROXY', () => {
  it('unset trusts nobody', () => {
    const config = load(undefined);
    expect(config.trustProxy).toEqual({ trustAll: false, ranges: [] });
    expect(isTrustedProxy(config, '127.0.0.1')).toBe(false);
    expect(isTrustedProxy(config, '::1')).toBe(false);
  });

  it.each(['true', 'TRUE', '1', 't'])('%s trusts everyone', (value) => {
    const config = load(value);
    expect(config.trustProxy).toEqual({ trustAll: true, ranges: [] });
    expect(isTrustedProxy(config, '203.0.113.9')).toBe(true);
    expect(isTrustedProxy(config, '2001:db8::1')).toBe(true);
  });

  it.each(['false', 'False', '0', 'f'])('%s trusts nobody', (value) => {
    const config = load(value);
    expect(config.trustProxy.trustAll).toBe(false);
    expect(isTrustedProxy(config, '10.0.0.1')).toBe(false);
  });

  it('parses a list of IPv4 and IPv6 addresses and ranges', () => {
    const config = load(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8,2001:db8::1,');
    expect(config.trustProxy).toEqual({
      trustAll: false,
      ranges: [
        { kind: 'ipv4', address: '10.0.0.0', prefixLength: 8 },
        { kind: 'ipv4', address: '192.168.1.7', prefixLength: 32 },
        { kind: 'ipv6', address: 'fd00::', prefixLength: 8 },
        { kind: 'ipv6', address: '2001:db8::1', prefixLength: 128 },
      ],
    });
  });

  it('a bad entry is an error naming it', () => {
    let error: unknown;
    try {
      load('10.0.0.0/8, 192.168.0.0/33');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('LATCHKEY_ERR_CONFIG_TRUST_PROXY');
    expect((error as ConfigError).variable).toBe('TRUST_PROXY');
    expect((error as ConfigError).message).toContain('"192.168.0.0/33" is not an IP address or CIDR range');
  });

  it.each(['10.1', '10.0.0.0/x', '10.0.0.0/', 'fd00::/129', 'localhost', 'yes', '999.1.1.1', '0x7f.0.0.1'])(
    'rejects %s',
    (value) => {
      const parsed = parseTrustProxy(value);
      expect(parsed.ok).toBe(false);
    },
  );
});

describe('isTrustedProxy', () => {
  const config = load('10.0.0.0/8, 192.168.1.7, fd00::/8, ::ffff:172.16.0.0/108');

  it('matches IPv4 addresses against IPv4 ranges', () => {
    expect(isTrustedProxy(config, '10.255.1.2')).toBe(true);
    expect(isTrustedProxy(config, '192.168.1.7')).toBe(true);
    expect(isTrustedProxy(config, '192.168.1.8')).toBe(false);
    expect(isTrustedProxy(config, '11.0.0.1')).toBe(false);
  });

  it('matches IPv6 addresses against IPv6 ranges, with or without a zone', () => {
    expect(isTrustedProxy(config, 'fd12:3456::1')).toBe(true);
    expect(isTrustedProxy(config, 'fd12:3456::1%eth0')).toBe(true);
    expect(isTrustedProxy(config, '2001:db8::1')).toBe(false);
    expect(isTrustedProxy(config, '::1')).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 peer (as Node reports it on a dual-stack socket) as IPv4', () => {
    expect(isTrustedProxy(config, '::ffff:10.1.2.3')).toBe(true);
    expect(isTrustedProxy(config, '::ffff:192.168.1.7')).toBe(true);
    expect(isTrustedProxy(config, '::ffff:11.1.2.3')).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 range in the list as the IPv4 range', () => {
    expect(config.trustProxy.ranges[3]).toEqual({ kind: 'ipv4', address: '172.16.0.0', prefixLength: 12 });
    expect(isTrustedProxy(config, '172.20.0.1')).toBe(true);
    expect(isTrustedProxy(config, '::ffff:172.20.0.1')).toBe(true);
    expect(isTrustedProxy(config, '172.32.0.1')).toBe(false);
  });

  it('does not let an IPv4 peer match an IPv6 range of all addresses (as Go)', () => {
    const v6Only = load('::/0');
    expect(isTrustedProxy(v6Only, '2001:db8::1')).toBe(true);
    expect(isTrustedProxy(v6Only, '10.0.0.1')).toBe(false);
  });

  it('never trusts an address that does not parse', () => {
    expect(isTrustedProxy(config, '')).toBe(false);
    expect(isTrustedProxy(config, 'not-an-ip')).toBe(false);
    expect(isTrustedProxy(config, '10.1')).toBe(false);
  });
});
