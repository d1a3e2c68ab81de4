/**
 * Reads the two facts the resumption probes need from a saved OpenSSL session (the DER
 * SSL_SESSION_ASN1 structure): whether it carries a session ID, and the ticket lifetime hint.
 */
import { children, readTlv, readUnsigned } from '../der';

export interface SessionFacts {
  sessionIdLength: number;
  /** The server's ticket lifetime hint in seconds; null when it gave none. */
  ticketLifetimeHintSeconds: number | null;
}

const OCTET_STRING = 0x04;
/** [9] EXPLICIT INTEGER tlsext_tick_lifetime_hint */
const LIFETIME_HINT_TAG = 0xa9;

/** Parses a session; throws on a malformed one (the caller reports the probe as an error). */
export function readSession(der: Buffer): SessionFacts {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new Error('a session is not a DER sequence');
  const fields = children(der, outer);
  // The octet strings are the cipher, then the session_id, then the master key.
  const sessionId = fields.filter((field) => field.tag === OCTET_STRING)[1];
  const hint = fields.find((field) => field.tag === LIFETIME_HINT_TAG);
  return {
    sessionIdLength: sessionId ? sessionId.end - sessionId.start : 0,
    ticketLifetimeHintSeconds: hint ? readUnsigned(der, readTlv(der, hint.start)) : null,
  };
}

/** [3] EXPLICIT Certificate OPTIONAL: the peer's certificate, kept in the session. */
const PEER_CERT_TAG = 0xa3;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * The session without the server's certificate. Resumption does not need it, and OpenSSL
 * parses it again each time a session is offered, which costs more than the resumed
 * handshake itself (a big certificate also pushes the session over Node's 10 KB limit).
 */
export function withoutPeerCertificate(der: Buffer): Buffer {
  const fields = children(der, readTlv(der, 0));
  if (!fields.some((field) => field.tag === PEER_CERT_TAG)) return der;
  const body = Buffer.concat(fields.filter((field) => field.tag !== PEER_CERT_TAG).map((field) => der.subarray(field.offset, field.end)));
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
