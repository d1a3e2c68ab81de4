/**
 * LDAP StartTLS (RFC 4511 4.14): the StartTLS extended operation as message 1, answered by an
 * ExtendedResponse whose resultCode is success. LDAP speaks BER (RFC 4511 5.1: definite
 * lengths only), read here as far as the answer needs and no further.
 */
import { children, readTlv, readUnsigned, type Tlv } from '../../der';
import { type Conversation, type Framing, MAX_PREAMBLE_BYTES, refused, unexpected } from './conversation';

/** The StartTLS extended operation's name (RFC 4511 4.14.1). */
const START_TLS_OID = '1.3.6.1.4.1.1466.20037';

/** An element: tag, definite length (short form, the request is small), value. */
function ber(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, value.length]), value]);
}

/**
 * LDAPMessage ::= SEQUENCE { messageID 1, ExtendedRequest ::= [APPLICATION 23] SEQUENCE
 * { requestName [0] LDAPOID } } — `30 1d 02 01 01 77 18 80 16 "1.3.6.1.4.1.1466.20037"`.
 */
export const START_TLS_REQUEST = ber(0x30, Buffer.concat([ber(0x02, Buffer.from([1])), ber(0x77, ber(0x80, Buffer.from(START_TLS_OID, 'latin1')))]));

const EXTENDED_RESPONSE = 0x78; // [APPLICATION 24], constructed
const ENUMERATED = 0x0a;
const OCTET_STRING = 0x04;

/** RFC 4511 4.1.9's names for the result codes. */
const RESULT_CODES: Record<number, string> = {
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 4: 'sizeLimitExceeded',
  5: 'compareFalse', 6: 'compareTrue', 7: 'authMethodNotSupported', 8: 'strongerAuthRequired', 10: 'referral',
  11: 'adminLimitExceeded', 12: 'unavailableCriticalExtension', 13: 'confidentialityRequired', 14: 'saslBindInProgress',
  16: 'noSuchAttribute', 17: 'undefinedAttributeType', 18: 'inappropriateMatching', 19: 'constraintViolation',
  20: 'attributeOrValueExists', 21: 'invalidAttributeSyntax', 32: 'noSuchObject', 33: 'aliasProblem', 34: 'invalidDNSyntax',
  36: 'aliasDereferencingProblem', 48: 'inappropriateAuthentication', 49: 'invalidCredentials', 50: 'insufficientAccessRights',
  51: 'busy', 52: 'unavailable', 53: 'unwillingToPerform', 54: 'loopDetect', 64: 'namingViolation', 65: 'objectClassViolation',
  66: 'notAllowedOnNonLeaf', 67: 'notAllowedOnRDN', 68: 'entryAlreadyExists', 69: 'objectClassModsProhibited',
  71: 'affectsMultipleDSAs', 80: 'other',
};

/** An LDAPMessage's whole length from its SEQUENCE header (definite, at most four length bytes); null while the header is incomplete, NaN when it is not one. */
function messageLength(buffered: Buffer): number | null {
  if (buffered[0] !== 0x30) return NaN;
  if (buffered.length < 2) return null;
  const first = buffered[1];
  const lengthBytes = first & 0x80 ? first & 0x7f : 0;
  if (lengthBytes > 4 || first === 0x80) return NaN;
  if (buffered.length < 2 + lengthBytes) return null;
  const length = lengthBytes === 0 ? first : buffered.subarray(2, 2 + lengthBytes).reduce((sum, byte) => sum * 256 + byte, 0);
  return 2 + lengthBytes + length;
}

/** One LDAPMessage; what cannot be one, or would be longer than the bound, is taken whole, for the message. */
const ldapMessage: Framing = (buffered) => {
  const total = messageLength(buffered);
  if (total === null) return null;
  if (Number.isNaN(total) || total > MAX_PREAMBLE_BYTES) return buffered.length;
  return buffered.length >= total ? total : null;
};

interface ExtendedResponse {
  messageId: number;
  resultCode: number;
  diagnosticMessage: string;
}

/** LDAPMessage { messageID, ExtendedResponse { resultCode, matchedDN, diagnosticMessage, ... } }, or null. */
function parseExtendedResponse(message: Buffer): ExtendedResponse | null {
  try {
    const envelope = readTlv(message, 0);
    if (envelope.end !== message.length) return null;
    const [id, op] = children(message, envelope);
    if (id?.tag !== 0x02 || op?.tag !== EXTENDED_RESPONSE) return null;
    const [code, , diagnostic] = children(message, op) as (Tlv | undefined)[];
    if (code?.tag !== ENUMERATED || diagnostic?.tag !== OCTET_STRING) return null;
    return {
      messageId: readUnsigned(message, id),
      resultCode: readUnsigned(message, code),
      diagnosticMessage: message.subarray(diagnostic.start, diagnostic.end).toString('utf8'),
    };
  } catch {
    return null;
  }
}

function result(response: ExtendedResponse): string {
  const name = RESULT_CODES[response.resultCode] ?? 'an unknown result code';
  return `${name} (${response.resultCode})${response.diagnosticMessage ? `: ${response.diagnosticMessage}` : ''}`;
}

export async function ldap(talk: Conversation): Promise<void> {
  talk.write(START_TLS_REQUEST);
  const expecting = 'an LDAP ExtendedResponse to StartTLS (messageID 1)';
  const message = await talk.read(expecting, ldapMessage);
  const response = parseExtendedResponse(message);
  const declared = messageLength(message);
  if (declared !== null && declared > MAX_PREAMBLE_BYTES) {
    throw unexpected(expecting, `an LDAPMessage of ${declared} bytes, more than the ${MAX_PREAMBLE_BYTES} read before TLS`);
  }
  if (!response) throw unexpected(expecting, message);
  // Message 0 is unsolicited: the Notice of Disconnection (RFC 4511 4.4.1), before the server closes.
  if (response.messageId === 0) throw refused('the server sent a notice of disconnection', result(response));
  if (response.messageId !== 1) throw unexpected(expecting, message);
  if (response.resultCode !== 0) throw refused('the server refused StartTLS', result(response));
}
