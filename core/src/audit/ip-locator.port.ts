import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { INTERNAL_NETWORK } from './audit-log.js';

export interface IpLocation {
  country: string | null;
  city: string | null;
}

/**
 * Where an address is, for the audit log. The GeoIP plugin provides the real one (MaxMind GeoLite2);
 * without it, `localNetworkIpLocator` names only internal addresses.
 */
export interface IpLocator {
  locate(ip: string): Promise<IpLocation>;
}

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, prefix] = cidr.split('/');
    list.addSubnet(net!, Number(prefix), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, prefix] = cidr.split('/');
    list.addSubnet(net!, Number(prefix), 'ipv6');
  }
  return list;
}

const LOOPBACK = blockList(['127.0.0.0/8'], ['::1/128']);
// Tailscale's CGNAT range and its IPv6 ULA prefix, as Pocket ID names them.
const TAILSCALE = blockList(['100.64.0.0/10'], ['fd7a:115c:a1e0::/48']);
const PRIVATE = blockList(
  ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'],
  ['fc00::/7', 'fe80::/10'],
);

/**
 * pocket-id-api.md §4.8: private, link-local and loopback addresses are country `Internal Network`,
 * city `LAN` (`localhost` for loopback, `Tailscale` for Tailscale's ranges). `localIpv6Ranges`
 * (Pocket ID's `LOCAL_IPV6_RANGES`) adds IPv6 CIDRs counted as LAN. Anything else is unknown (null).
 */
export function localNetworkIpLocator(options: { localIpv6Ranges?: string[] } = {}): IpLocator {
  const extra = blockList([], options.localIpv6Ranges ?? []);
  return {
    async locate(raw) {
      const ip = raw.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
      const type = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
      if (!type) return { country: null, city: null };
      if (LOOPBACK.check(ip, type)) return { country: INTERNAL_NETWORK, city: 'localhost' };
      if (TAILSCALE.check(ip, type)) return { country: INTERNAL_NETWORK, city: 'Tailscale' };
      if (PRIVATE.check(ip, type) || (type === 'ipv6' && extra.check(ip, type))) {
        return { country: INTERNAL_NETWORK, city: 'LAN' };
      }
      return { country: null, city: null };
    },
  };
}
