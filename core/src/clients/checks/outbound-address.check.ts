import ipaddr from 'ipaddr.js';

/**
 * Which addresses the server may connect to when it downloads something an admin named by URL (a
 * client's `logoUrl`, a registration's `logo_uri`). Pocket ID refuses private addresses outright; here
 * only ordinary public unicast addresses are always allowed, loopback and private networks (RFC 1918,
 * RFC 4193, CGNAT) only when the operator allows them (`ALLOW_INSECURE_CALLBACK_URLS`, the existing
 * "this is a lab" switch), and link-local, cloud metadata, multicast, broadcast, unspecified, reserved
 * and IPv4-embedding IPv6 ranges (6to4, Teredo, NAT64) never, since those reach the host's metadata
 * service or hide another address.
 */
export interface OutboundAddressPolicy {
  allowPrivateNetworks: boolean;
}

/** Cloud metadata endpoints outside the link-local ranges (AWS IPv6, Alibaba Cloud). */
const METADATA = new Set(['fd00:ec2::254', '100.100.100.200']);
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

/** Null when `address` (an IP literal) may be contacted; else why not. */
export function refusedAddress(address: string, policy: OutboundAddressPolicy): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `process` turns IPv4-mapped IPv6 (::ffff:10.0.0.1) into the IPv4 address it carries.
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'is not an IP address';
  }
  const normalized = parsed.toNormalizedString();
  if (METADATA.has(normalized) || METADATA.has(parsed.toString())) return 'is a cloud metadata address';
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (PRIVATE_RANGES.has(range)) {
    return policy.allowPrivateNetworks ? null : 'is a loopback or private network address';
  }
  return `is a ${range} address`;
}
