/**
 * A certificate read once for path validation: the TBS fields and the extensions the rules
 * look at, decoded with the DER reader (a JavaScript ASN.1 schema parse of a leaf's extensions
 * costs about 30 times as much, on every check). Cached by fingerprint: fleets share CAs.
 * A malformed field never throws out of here: it becomes an entry of `malformed`.
 */
import type { X509Certificate } from 'node:crypto';
import { children, readOid, readTime, readTlv, readUnsigned, type Tlv } from '../der';
import { decodeString, type GeneralName, type Name, readGeneralName, readGeneralNames, readName } from './names';
import { perCertificate } from './per-certificate';

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  tlsFeature: '1.3.6.1.5.5.7.1.24',
  ctPoison: '1.3.6.1.4.1.11129.2.4.3',
  ctSignedTimestamps: '1.3.6.1.4.1.11129.2.4.2',
  ecPublicKey: '1.2.840.10045.2.1',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  commonName: '2.5.4.3',
} as const;

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface Subtree {
  base: GeneralName;
}

export interface NameConstraints {
  permitted: Subtree[] | null;
  excluded: Subtree[] | null;
}

export interface ParsedCert {
  x509: X509Certificate;
  fingerprint: string;
  /** 1, 2 or 3. */
  version: number;
  /** The serial number's INTEGER content (two's complement). */
  serial: Buffer;
  issuer: Name;
  subject: Name;
  /** Subject and issuer names are the same (a root, a self-signed leaf or a key rollover). */
  selfIssued: boolean;
  notBefore: number;
  notAfter: number;
  publicKeyAlgorithm: string;
  /** An EC key given with explicit curve parameters instead of a named curve. */
  explicitCurve: boolean;
  /** The TBS and outer signature algorithms are the same bytes. */
  signatureAlgorithmsMatch: boolean;
  extensions: Extension[];
  /** OIDs that appear more than once. */
  duplicateExtensions: string[];
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  /** Key usage bits, bit 0 = digitalSignature … bit 5 = keyCertSign; null when absent. */
  keyUsage: number | null;
  extKeyUsage: string[] | null;
  subjectKeyId: Buffer | null;
  authorityKeyId: { keyId: Buffer | null; hasIssuer: boolean; hasSerial: boolean } | null;
  subjectAltNames: GeneralName[] | null;
  nameConstraints: NameConstraints | null;
  /** Subject common names as written (for the CA/Browser Forum rule that a CN is one of the SANs). */
  commonNames: string[];
  /** What could not be read, each completing "<certificate> …": "has a malformed X extension (why)". */
  malformed: string[];
}

export const KEY_CERT_SIGN = 1 << 5;

function readBoolean(der: Uint8Array, tlv: Tlv): boolean {
  if (tlv.tag !== 0x01 || tlv.end - tlv.start !== 1) throw new Error('not a BOOLEAN');
  return der[tlv.start] !== 0;
}

function sequence(value: Uint8Array): { outer: Tlv; items: Tlv[] } {
  const outer = readTlv(value, 0);
  if (outer.tag !== 0x30 || outer.end !== value.length) throw new Error('not a single SEQUENCE');
  return { outer, items: children(value, outer) };
}

function readBasicConstraints(value: Buffer): ParsedCert['basicConstraints'] {
  const { items } = sequence(value);
  let ca = false;
  let pathLength: number | null = null;
  for (const item of items) {
    if (item.tag === 0x01) ca = readBoolean(value, item);
    else if (item.tag === 0x02) {
      if (value[item.start] & 0x80) throw new Error('a negative pathLenConstraint');
      pathLength = readUnsigned(value, item);
    } else throw new Error('an unexpected field');
  }
  return { ca, pathLength };
}

function readKeyUsage(value: Buffer): number {
  const bits = readTlv(value, 0);
  if (bits.tag !== 0x03 || bits.end !== value.length || bits.end - bits.start < 1) throw new Error('not a BIT STRING');
  let mask = 0;
  // Bits are numbered from the most significant bit of the first content byte.
  for (let i = bits.start + 1, n = 0; i < bits.end && n < 16; i++) {
    for (let b = 7; b >= 0; b--, n++) if (value[i] & (1 << b)) mask |= 1 << n;
  }
  return mask;
}

function readExtKeyUsage(value: Buffer): string[] {
  const { items } = sequence(value);
  if (items.length === 0) throw new Error('it lists no purpose');
  return items.map((item) => readOid(value, item));
}

function readOctets(value: Buffer): Buffer {
  const tlv = readTlv(value, 0);
  if (tlv.tag !== 0x04 || tlv.end !== value.length) throw new Error('not an OCTET STRING');
  return value.subarray(tlv.start, tlv.end);
}

function readAuthorityKeyId(value: Buffer): ParsedCert['authorityKeyId'] {
  const { items } = sequence(value);
  const result = { keyId: null as Buffer | null, hasIssuer: false, hasSerial: false };
  for (const item of items) {
    if (item.tag === 0x80) result.keyId = value.subarray(item.start, item.end);
    else if (item.tag === 0xa1) result.hasIssuer = true;
    else if (item.tag === 0x82) result.hasSerial = true;
    else throw new Error('an unexpected field');
  }
  return result;
}

function readSubtrees(value: Uint8Array, tlv: Tlv): Subtree[] {
  return children(value, tlv).map((subtree) => {
    const [base, ...rest] = children(value, subtree);
    if (!base) throw new Error('a subtree without a base');
    if (rest.some((r) => r.tag !== 0x80 && r.tag !== 0x81)) throw new Error('a subtree with an unexpected field');
    return { base: readGeneralName(value, base) };
  });
}

function readNameConstraints(value: Buffer): NameConstraints {
  const { items } = sequence(value);
  const result: NameConstraints = { permitted: null, excluded: null };
  for (const item of items) {
    if (item.tag === 0xa0) result.permitted = readSubtrees(value, item);
    else if (item.tag === 0xa1) result.excluded = readSubtrees(value, item);
    else throw new Error('an unexpected field');
  }
  return result;
}

function readAccessDescriptions(value: Buffer): void {
  const { items } = sequence(value);
  if (items.length === 0) throw new Error('it holds no access description');
  for (const item of items) {
    const [method, location, ...rest] = children(value, item);
    if (!method || !location || rest.length > 0) throw new Error('an access description is not a method and a location');
    readOid(value, method);
    readGeneralName(value, location);
  }
}

function readPolicyConstraints(value: Buffer): void {
  const { items } = sequence(value);
  if (items.length === 0 || items.some((i) => i.tag !== 0x80 && i.tag !== 0x81)) throw new Error('unexpected fields');
}

/** Decoders by OID: each checks the whole value and keeps what the rules need. */
const DECODERS: Record<string, (cert: ParsedCert, value: Buffer) => void> = {
  [OID.basicConstraints]: (c, v) => (c.basicConstraints = readBasicConstraints(v)),
  [OID.keyUsage]: (c, v) => (c.keyUsage = readKeyUsage(v)),
  [OID.extKeyUsage]: (c, v) => (c.extKeyUsage = readExtKeyUsage(v)),
  [OID.subjectKeyIdentifier]: (c, v) => (c.subjectKeyId = readOctets(v)),
  [OID.authorityKeyIdentifier]: (c, v) => (c.authorityKeyId = readAuthorityKeyId(v)),
  [OID.subjectAltName]: (c, v) => {
    const names = readGeneralNames(v);
    if (names.length === 0) throw new Error('it names nothing');
    c.subjectAltNames = names;
  },
  [OID.nameConstraints]: (c, v) => (c.nameConstraints = readNameConstraints(v)),
  [OID.authorityInfoAccess]: (_c, v) => readAccessDescriptions(v),
  [OID.policyConstraints]: (_c, v) => readPolicyConstraints(v),
};

/** Extension names for messages. */
export const EXTENSION_NAMES: Record<string, string> = {
  [OID.subjectKeyIdentifier]: 'subject key identifier',
  [OID.keyUsage]: 'key usage',
  [OID.subjectAltName]: 'subject alternative name',
  [OID.basicConstraints]: 'basic constraints',
  [OID.nameConstraints]: 'name constraints',
  [OID.authorityKeyIdentifier]: 'authority key identifier',
  [OID.policyConstraints]: 'policy constraints',
  [OID.extKeyUsage]: 'extended key usage',
  [OID.authorityInfoAccess]: 'authority information access',
};

export function extensionName(oid: string): string {
  return EXTENSION_NAMES[oid] ?? oid;
}

function readExtensions(der: Buffer, wrapper: Tlv, cert: ParsedCert): void {
  const seen = new Set<string>();
  for (const extension of children(der, readTlv(der, wrapper.start))) {
    const parts = children(der, extension);
    const oid = readOid(der, parts[0]);
    const critical = parts.length === 3 && readBoolean(der, parts[1]);
    const valueTlv = parts[parts.length - 1];
    if (valueTlv.tag !== 0x04) throw new Error(`the extension ${oid} has no OCTET STRING value`);
    const value = der.subarray(valueTlv.start, valueTlv.end);
    if (seen.has(oid)) cert.duplicateExtensions.push(oid);
    seen.add(oid);
    cert.extensions.push({ oid, critical, value });
    const decode = DECODERS[oid];
    if (!decode) continue;
    try {
      decode(cert, value);
    } catch (err) {
      cert.malformed.push(`has a malformed ${extensionName(oid)} extension (${(err as Error).message})`);
    }
  }
}

function algorithmBytes(der: Buffer, tlv: Tlv): Buffer {
  return der.subarray(tlv.offset, tlv.end);
}

/** Reads a certificate for validation (uncached: a server's own leaf is seen once). */
export function parseCertificate(x509: X509Certificate): ParsedCert {
  const der = x509.raw;
  const cert: ParsedCert = {
    x509,
    fingerprint: x509.fingerprint256,
    version: 1,
    serial: Buffer.alloc(0),
    issuer: { rdns: [], key: '' },
    subject: { rdns: [], key: '' },
    selfIssued: false,
    notBefore: NaN,
    notAfter: NaN,
    publicKeyAlgorithm: '',
    explicitCurve: false,
    signatureAlgorithmsMatch: true,
    extensions: [],
    duplicateExtensions: [],
    basicConstraints: null,
    keyUsage: null,
    extKeyUsage: null,
    subjectKeyId: null,
    authorityKeyId: null,
    subjectAltNames: null,
    nameConstraints: null,
    commonNames: [],
    malformed: [],
  };
  try {
    const [tbs, outerAlgorithm] = children(der, readTlv(der, 0));
    const fields = children(der, tbs);
    if (fields[0].tag === 0xa0) cert.version = readUnsigned(der, readTlv(der, fields[0].start)) + 1;
    const rest = fields[0].tag === 0xa0 ? fields.slice(1) : fields;
    const [serial, innerAlgorithm, issuer, validity, subject, spki] = rest;
    cert.serial = der.subarray(serial.start, serial.end);
    cert.signatureAlgorithmsMatch = algorithmBytes(der, innerAlgorithm).equals(algorithmBytes(der, outerAlgorithm));
    cert.issuer = readName(der, issuer);
    cert.subject = readName(der, subject);
    cert.selfIssued = cert.issuer.key === cert.subject.key;
    const [notBefore, notAfter] = children(der, validity);
    cert.notBefore = readTime(der, notBefore).getTime();
    cert.notAfter = readTime(der, notAfter).getTime();
    const [algorithm] = children(der, spki);
    const [keyOid, params] = children(der, algorithm);
    cert.publicKeyAlgorithm = readOid(der, keyOid);
    cert.explicitCurve = cert.publicKeyAlgorithm === OID.ecPublicKey && params?.tag !== 0x06;
    cert.commonNames = subjectCommonNames(der, subject);
    const wrapper = fields.find((field) => field.tag === 0xa3);
    if (wrapper) readExtensions(der, wrapper, cert);
  } catch (err) {
    cert.malformed.push(`cannot be read (${(err as Error).message})`);
  }
  return cert;
}

/** The subject's CN values exactly as written (not normalised): the CN rule compares characters. */
function subjectCommonNames(der: Uint8Array, subject: Tlv): string[] {
  const out: string[] = [];
  for (const set of children(der, subject)) {
    for (const atv of children(der, set)) {
      const [type, value] = children(der, atv);
      if (readOid(der, type) === OID.commonName) out.push(decodeString(der, value));
    }
  }
  return out;
}

/** The certificate read for validation, once per process for each fingerprint (CAs, shared by fleets). */
export const parsed: (x509: X509Certificate) => ParsedCert = perCertificate(parseCertificate);

/** The subject alternative names of one kind, as written. */
export function sanValues(cert: ParsedCert, type: 'dns' | 'email' | 'uri'): string[] {
  const out: string[] = [];
  for (const name of cert.subjectAltNames ?? []) if (name.type === type) out.push(name.value);
  return out;
}
