import ipaddr from 'ipaddr.js';
import { parseGoBool, type ParseResult } from './config-formats.js';

/** One range whose `X-Forwarded-*` headers are believed. A single address is a /32 or /128 range. */
export interface TrustedProxyRange {
  readonly kind: 'ipv4' | 'ipv6';
  /** The network address as written (normalised), e.g. `10.0.0.0` or `fd00::`. */
  readonly address: string;
  readonly prefixLength: number;
}

/** `TRUST_PROXY`, parsed. Nothing is trusted unless it says so. */
export interface TrustProxy {
  /** `TRUST_PROXY=true`: every peer is a proxy (Pocket ID: `0.0.0.0/0` and `::/0`). */
  readonly trustAll: boolean;
  readonly ranges: readonly TrustedProxyRange[];
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A strict address parser: ipaddr.js alone would also take `10.1` or `0x7f.1`, which no proxy list means. */
function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) return ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/**
 * An IPv4-mapped IPv6 address or range (`::ffff:10.0.0.0/104`) is the IPv4 one, as Go's `net` package
 * treats it; so a Node socket reporting `::ffff:10.1.2.3` matches `10.0.0.0/8` and the other way round.
 */
function unmap(address: Address, prefixLength: number): [Address, number] {
  if (address.kind() === 'ipv6' && prefixLength >= 96) {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return [v6.toIPv4Address(), prefixLength - 96];
  }
  return [address, prefixLength];
}

function parseRange(entry: string): TrustedProxyRange | undefined {
  const slash = entry.indexOf('/');
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  let prefixLength = max;
  if (slash !== -1) {
    const prefixText = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefixLength = Number(prefixText);
    if (prefixLength > max) return undefined;
  }
  const [network, bits] = unmap(address, prefixLength);
  return { kind: network.kind(), address: network.toString(), prefixLength: bits };
}

/**
 * `TRUST_PROXY`: a Go-style boolean, or a comma-separated list of IP addresses and CIDR ranges (IPv4 or
 * IPv6). Unset or empty trusts nobody. The reason for a bad list names the bad entry.
 */
export function parseTrustProxy(raw: string | undefined): ParseResult<TrustProxy> {
  const value = (raw ?? '').trim();
  if (value === '') return { ok: true, value: { trustAll: false, ranges: [] } };
  const bool = parseGoBool(value);
  if (bool !== undefined) return { ok: true, value: { trustAll: bool, ranges: [] } };
  const ranges: TrustedProxyRange[] = [];
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const range = parseRange(entry);
    if (!range) return { ok: false, reason: `"${entry}" is not an IP address or CIDR range` };
    ranges.push(range);
  }
  return { ok: true, value: { trustAll: false, ranges } };
}

const compiled = new WeakMap<TrustProxy, ReadonlyArray<[Address, number]>>();

function compile(trustProxy: TrustProxy): ReadonlyArray<[Address, number]> {
  let ranges = compiled.get(trustProxy);
  if (!ranges) {
    ranges = trustProxy.ranges.map((r): [Address, number] => [ipaddr.parse(r.address), r.prefixLength]);
    compiled.set(trustProxy, ranges);
  }
  return ranges;
}

/**
 * Whether a peer's `X-Forwarded-*` headers may be believed. `ip` is the socket's remote address as Node
 * reports it: IPv4, IPv6 (a zone such as `%eth0` is allowed) or IPv4-mapped IPv6 (`::ffff:10.0.0.1`).
 * An address that does not parse is never trusted unless everything is.
 */
export function isTrustedProxy(config: { readonly trustProxy: TrustProxy }, ip: string): boolean {
  const { trustProxy } = config;
  if (trustProxy.trustAll) return true;
  if (trustProxy.ranges.length === 0) return false;
  const parsed = parseAddress(ip.trim());
  if (!parsed) return false;
  const [address] = unmap(parsed, 128);
  return compile(trustProxy).some(
    ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
  );
}
