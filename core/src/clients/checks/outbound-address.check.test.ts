import { describe, expect, it } from 'vitest';
import { refusedAddress } from './outbound-address.check.js';

const strict = { allowPrivateNetworks: false };
const lab = { allowPrivateNetworks: true };

describe('refusedAddress', () => {
  it('allows public unicast addresses in both modes', () => {
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '[2001:4860::8888]']) {
      expect(refusedAddress(address, strict)).toBeNull();
      expect(refusedAddress(address, lab)).toBeNull();
    }
  });

  it('allows loopback and private networks only when the operator allows them', () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '192.168.1.1',
      '172.16.0.1',
      'fd12::1',
      '100.64.0.1',
      '::ffff:127.0.0.1',
    ]) {
      expect(refusedAddress(address, strict)).toMatch(/private network/);
      expect(refusedAddress(address, lab)).toBeNull();
    }
  });

  it('never allows link-local, metadata, unspecified, multicast or IPv4-embedding ranges', () => {
    for (const address of [
      '169.254.169.254',
      '::ffff:169.254.169.254',
      'fe80::1',
      'fd00:ec2::254',
      '100.100.100.200',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      '255.255.255.255',
      '2002:a00:1::1',
      '64:ff9b::a00:1',
    ]) {
      expect(refusedAddress(address, lab), address).not.toBeNull();
      expect(refusedAddress(address, strict), address).not.toBeNull();
    }
  });

  it('refuses what is not an IP address', () => {
    expect(refusedAddress('example.com', lab)).toBe('is not an IP address');
  });
});
