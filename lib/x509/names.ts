/**
 * Distinguished names and general names read from DER: what path building compares (a
 * normalised name key) and what name constraints and host-name matching look at.
 */
import { children, readOid, readTlv, type Tlv } from '../der';
import { canonicalIp } from './cert-info';

/** One attribute of a relative distinguished name, its value normalised for comparison. */
export interface NameAttribute {
  oid: string;
  value: string;
}

export interface Name {
  /** Relative distinguished names in DER order, each a sorted set of attributes. */
  rdns: NameAttribute[][];
  /** Compares as RFC 5280 7.1 asks in practice: case and inner spaces folded, string types ignored. */
  key: string;
}

export type GeneralName =
  | { type: 'dns'; value: string }
  | { type: 'ip'; bytes: Buffer }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'dn'; name: Name }
  | { type: 'other'; tag: number };

/** The general-name forms by context tag, for messages. */
export const GENERAL_NAME_FORMS: Record<number, string> = {
  0: 'otherName',
  1: 'rfc822Name',
  2: 'dNSName',
  3: 'x400Address',
  4: 'directoryName',
  5: 'ediPartyName',
  6: 'uniformResourceIdentifier',
  7: 'iPAddress',
  8: 'registeredID',
};

const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1a, 0x1e, 0x1c]);

/** A directory string's text: UTF8String as UTF-8, BMPString as UTF-16, the others byte by byte. */
export function decodeString(der: Uint8Array, tlv: Tlv): string {
  const bytes = Buffer.from(der.subarray(tlv.start, tlv.end));
  if (tlv.tag === 0x1e) {
    // BMPString: UTF-16 big-endian.
    const swapped = Buffer.from(bytes);
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return tlv.tag === 0x0c ? bytes.toString('utf8') : bytes.toString('latin1');
}

function normalise(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Reads a Name (SEQUENCE OF SET OF AttributeTypeAndValue) at `tlv`; throws when malformed. */
export function readName(der: Uint8Array, tlv: Tlv): Name {
  if (tlv.tag !== 0x30) throw new Error('a name is not a SEQUENCE');
  const rdns: NameAttribute[][] = [];
  for (const set of children(der, tlv)) {
    if (set.tag !== 0x31) throw new Error('a relative distinguished name is not a SET');
    const attributes = children(der, set).map((atv) => {
      const [type, value] = children(der, atv);
      if (!type || !value) throw new Error('an attribute has no value');
      const text = STRING_TAGS.has(value.tag)
        ? normalise(decodeString(der, value))
        : Buffer.from(der.subarray(value.offset, value.end)).toString('hex');
      return { oid: readOid(der, type), value: text };
    });
    if (attributes.length === 0) throw new Error('an empty relative distinguished name');
    attributes.sort((a, b) => (a.oid + a.value < b.oid + b.value ? -1 : 1));
    rdns.push(attributes);
  }
  return {
    rdns,
    key: rdns.map((rdn) => rdn.map((a) => `${a.oid}=${a.value}`).join('+')).join('/'),
  };
}

/** Whether `base` is a prefix of `name`, RDN by RDN (a directoryName constraint). */
export function nameWithin(name: Name, base: Name): boolean {
  if (base.rdns.length > name.rdns.length) return false;
  return base.rdns.every((rdn, i) => {
    const other = name.rdns[i];
    return rdn.length === other.length && rdn.every((a, j) => a.oid === other[j].oid && a.value === other[j].value);
  });
}

function ascii(der: Uint8Array, tlv: Tlv): string {
  return Buffer.from(der.subarray(tlv.start, tlv.end)).toString('latin1');
}

/** Reads one GeneralName (a context-tagged CHOICE); throws when malformed. */
export function readGeneralName(der: Uint8Array, tlv: Tlv): GeneralName {
  const tag = tlv.tag & 0x1f;
  switch (tag) {
    case 1:
      return { type: 'email', value: ascii(der, tlv) };
    case 2:
      return { type: 'dns', value: ascii(der, tlv) };
    case 6:
      return { type: 'uri', value: ascii(der, tlv) };
    case 7:
      return { type: 'ip', bytes: Buffer.from(der.subarray(tlv.start, tlv.end)) };
    case 4: {
      const inner = readTlv(der, tlv.start);
      if (inner.end !== tlv.end) throw new Error('trailing bytes after a directoryName');
      return { type: 'dn', name: readName(der, inner) };
    }
    default:
      if (tag > 8) throw new Error(`an unknown general name form [${tag}]`);
      return { type: 'other', tag };
  }
}

/** Reads GeneralNames (SEQUENCE OF GeneralName) that fill `value` exactly. */
export function readGeneralNames(value: Uint8Array): GeneralName[] {
  const outer = readTlv(value, 0);
  if (outer.tag !== 0x30 || outer.end !== value.length) throw new Error('not a SEQUENCE of general names');
  return children(value, outer).map((tlv) => readGeneralName(value, tlv));
}

/** An iPAddress SAN's bytes as text (IPv6 compressed, as Node and RFC 5952 write it). */
export function ipText(bytes: Buffer): string | null {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return canonicalIp(groups.join(':'));
}
