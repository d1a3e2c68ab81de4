/**
 * Reads the two facts the resumption probes need from a saved OpenSSL session (the DER
 * SSL_SESSION_ASN1 structure): whether it carries a session ID, and the ticket lifetime hint.
 */

export interface SessionFacts {
  sessionIdLength: number;
  /** The server's ticket lifetime hint in seconds; null when it gave none. */
  ticketLifetimeHintSeconds: number | null;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, offset: number): Tlv {
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
  if (tag === undefined || end > der.length) throw new Error('truncated DER');
  return { tag, start, end };
}

function readUnsigned(der: Buffer, tlv: Tlv): number {
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + der[i];
  return value;
}

const OCTET_STRING = 0x04;
/** [9] EXPLICIT INTEGER tlsext_tick_lifetime_hint */
const LIFETIME_HINT_TAG = 0xa9;

/** Parses a session; throws on a malformed one (the caller reports the probe as an error). */
export function readSession(der: Buffer): SessionFacts {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new Error('a session is not a DER sequence');
  let offset = outer.start;
  let octetStrings = 0;
  const facts: SessionFacts = { sessionIdLength: 0, ticketLifetimeHintSeconds: null };
  while (offset < outer.end) {
    const field = readTlv(der, offset);
    if (field.tag === OCTET_STRING) {
      octetStrings += 1;
      // cipher, then session_id, then master_key
      if (octetStrings === 2) facts.sessionIdLength = field.end - field.start;
    } else if (field.tag === LIFETIME_HINT_TAG) {
      const inner = readTlv(der, field.start);
      facts.ticketLifetimeHintSeconds = readUnsigned(der, inner);
    }
    offset = field.end;
  }
  return facts;
}
