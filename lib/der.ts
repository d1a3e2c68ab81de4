/** A minimal DER reader: just enough to walk a certificate's, a CRL's or a session's fields. */

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

/** UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSS[.fff]Z) as a Date. */
export function readTime(der: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(der.subarray(tlv.start, tlv.end)).toString('latin1');
  let digits: string;
  if (tlv.tag === 0x17) {
    const yy = Number(text.slice(0, 2));
    digits = `${yy < 50 ? 20 : 19}${text}`;
  } else if (tlv.tag === 0x18) {
    digits = text;
  } else {
    throw new Error('not a time');
  }
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(digits);
  if (!m) throw new Error(`unsupported time "${text}"`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** The fields of a certificate that revocation look-ups need, as raw DER slices. */
export interface CertificateParts {
  /** The serial number's INTEGER content. */
  serial: Uint8Array;
  /** The whole issuer and subject Name elements. */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** The subjectPublicKey BIT STRING's bits (without the unused-bits byte). */
  publicKeyBits: Uint8Array;
  /** The extensions, by OID: each value's OCTET STRING content. */
  extensions: Map<string, Uint8Array>;
}

/**
 * Splits a DER certificate: Certificate ::= SEQUENCE { tbsCertificate, ... }, tbsCertificate ::=
 * SEQUENCE { [0] version?, serial, signature, issuer, validity, subject, spki, ..., [3] extensions? }.
 */
export function certificateParts(der: Uint8Array): CertificateParts {
  const [tbs] = children(der, readTlv(der, 0));
  const fields = children(der, tbs);
  const rest = fields[0].tag === 0xa0 ? fields.slice(1) : fields;
  const [serial, , issuer, , subject, spki] = rest;
  const [, bits] = children(der, spki);
  const extensions = new Map<string, Uint8Array>();
  const wrapper = fields.find((field) => field.tag === 0xa3);
  if (wrapper) {
    for (const extension of children(der, readTlv(der, wrapper.start))) {
      const parts = children(der, extension);
      const value = parts[parts.length - 1];
      extensions.set(readOid(der, parts[0]), der.subarray(value.start, value.end));
    }
  }
  return {
    serial: der.subarray(serial.start, serial.end),
    issuer: der.subarray(issuer.offset, issuer.end),
    subject: der.subarray(subject.offset, subject.end),
    publicKeyBits: der.subarray(bits.start + 1, bits.end),
    extensions,
  };
}
