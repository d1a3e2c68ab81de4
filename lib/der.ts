/** A minimal DER reader: just enough to walk a certificate's or a session's top-level fields. */

export interface Tlv {
  tag: number;
  /** Where the whole element, header included, starts. */
  offset: number;
  /** Where the value starts and ends (the header excluded). */
  start: number;
  end: number;
}

/** Reads the tag-length-value at `offset`; throws on malformed or truncated input. */
export function readTlv(der: Uint8Array, offset: number): Tlv {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

/** The children of a constructed value. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** An unsigned big-endian integer that fits in a double. */
export function readUnsigned(der: Uint8Array, tlv: Tlv): number {
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + der[i];
  return value;
}

/** An OBJECT IDENTIFIER in dotted form. */
export function readOid(der: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== 0x06) throw new Error('not an OID');
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if ((der[i] & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The signatureAlgorithm OID of a DER certificate: Certificate ::= SEQUENCE { tbs, algorithm, signature }. */
export function certificateSignatureOid(der: Uint8Array): string {
  const [, algorithm] = children(der, readTlv(der, 0));
  if (!algorithm || algorithm.tag !== 0x30) throw new Error('not a certificate');
  return readOid(der, readTlv(der, algorithm.start));
}

const BASIC_CONSTRAINTS = '2.5.29.19';

/**
 * The pathLenConstraint of a DER certificate's basicConstraints, or null when it sets none.
 * tbsCertificate's extensions are [3] EXPLICIT SEQUENCE OF Extension { OID, critical?, OCTET STRING }.
 */
export function basicConstraintsPathLength(der: Uint8Array): number | null {
  const [tbs] = children(der, readTlv(der, 0));
  const wrapper = children(der, tbs).find((field) => field.tag === 0xa3);
  if (!wrapper) return null;
  for (const extension of children(der, readTlv(der, wrapper.start))) {
    const parts = children(der, extension);
    if (readOid(der, parts[0]) !== BASIC_CONSTRAINTS) continue;
    const value = parts[parts.length - 1];
    const pathLength = children(der, readTlv(der, value.start)).find((field) => field.tag === 0x02);
    return pathLength ? readUnsigned(der, pathLength) : null;
  }
  return null;
}
