/**
 * A tiny CBOR encoder (RFC 8949), just enough for WebAuthn attestation objects and COSE keys:
 * unsigned and negative integers, byte strings, text strings, arrays and maps. Map keys are sorted
 * in the CTAP2 canonical order (shorter encoded key first, then bytewise), as an authenticator does.
 */
export type CborValue = number | Uint8Array | string | CborValue[] | Map<number | string, CborValue>;

function head(major: number, length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`CBOR: bad length ${length}`);
  const mt = major << 5;
  if (length < 24) return Buffer.from([mt | length]);
  if (length < 0x100) return Buffer.from([mt | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = mt | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  if (length < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = mt | 26;
    b.writeUInt32BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = mt | 27;
  b.writeBigUInt64BE(BigInt(length), 1);
  return b;
}

export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`CBOR: only integers are supported, got ${value}`);
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) {
    return Buffer.concat([head(2, value.length), value]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  }
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [encodeCbor(k), encodeCbor(v)] as const);
    entries.sort(([a], [b]) => a.length - b.length || Buffer.compare(a, b));
    return Buffer.concat([head(5, entries.length), ...entries.flat()]);
  }
  throw new TypeError(`CBOR: unsupported value ${String(value)}`);
}
