import { describe, expect, it } from 'vitest';
import { localNetworkIpLocator } from './ip-locator.port.js';

describe('localNetworkIpLocator', () => {
  const locator = localNetworkIpLocator({ localIpv6Ranges: ['2001:db8:1::/48'] });

  it.each([
    ['127.0.0.1', 'Internal Network', 'localhost'],
    ['::1', 'Internal Network', 'localhost'],
    ['::ffff:127.0.0.1', 'Internal Network', 'localhost'],
    ['10.1.2.3', 'Internal Network', 'LAN'],
    ['172.20.0.5', 'Internal Network', 'LAN'],
    ['192.168.1.10', 'Internal Network', 'LAN'],
    ['fd12:3456::1', 'Internal Network', 'LAN'],
    ['fe80::1', 'Internal Network', 'LAN'],
    ['100.100.1.1', 'Internal Network', 'Tailscale'],
    ['2001:db8:1::5', 'Internal Network', 'LAN'],
    ['203.0.113.7', null, null],
    ['172.32.0.1', null, null],
    ['2001:db8:2::5', null, null],
    ['not-an-ip', null, null],
    ['', null, null],
  ])('%s → %s / %s', async (ip, country, city) => {
    expect(await locator.locate(ip)).toEqual({ country, city });
  });
});
