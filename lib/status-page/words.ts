/** What the status page says for each finding code and verdict, in a few words. */
import type { FindingCode, ResumptionVerdict } from '../report';

/** A few words per code, for the table's findings column (the detail view has the whole message). */
export const FINDING_WORDS: Record<FindingCode, string> = {
  EXPIRED: 'expired',
  NOT_YET_VALID: 'not yet valid',
  EXPIRES_SOON: 'expires soon',
  HOSTNAME_MISMATCH: 'wrong host name',
  SELF_SIGNED: 'self-signed',
  UNTRUSTED_ROOT: 'untrusted root',
  INCOMPLETE_CHAIN: 'incomplete chain',
  CHAIN_ORDER: 'chain out of order',
  CHAIN_CERT_EXPIRED: 'chain certificate expired',
  CHAIN_INVALID: 'invalid chain',
  KEY_MISMATCH: 'key does not match',
  WEAK_SIGNATURE: 'weak signature',
  WEAK_KEY: 'weak key',
  NOT_FOR_SERVER_AUTH: 'not for servers',
  REVOKED: 'revoked',
  MUST_STAPLE_MISSING: 'must-staple, no staple',
  STAPLE_INVALID: 'invalid OCSP staple',
  REVOCATION_UNKNOWN: 'revocation unknown',
  NO_RESUMPTION: 'no session resumption',
  LONG_TICKET_LIFETIME: 'long ticket lifetime',
  CERT_CHANGED: 'certificate changed',
  HANDSHAKE_FAILED: 'handshake failed',
  CONNECTION_FAILED: 'connection failed',
  DNS_FAILED: 'name not found',
  TIMEOUT: 'timed out',
  BLOCKED_ADDRESS: 'address refused',
  STARTTLS_REFUSED: 'STARTTLS refused',
  WEBSOCKET_UPGRADE_FAILED: 'WebSocket upgrade failed',
  LEGACY_PROTOCOL: 'TLS 1.0/1.1 accepted',
  WEAK_CIPHER: 'weak cipher',
  CHECK_FAILED: 'check failed',
};

/** The words of a code (a code from a newer certcheck is shown as it is). */
export function findingWords(code: string): string {
  return Object.hasOwn(FINDING_WORDS, code) ? FINDING_WORDS[code as FindingCode] : code;
}

/** Resumption verdicts, one letter each in the page's data. */
export const VERDICT_LETTERS: Record<ResumptionVerdict, string> = {
  supported: 's',
  partial: 'p',
  unsupported: 'u',
  'not-applicable': 'n',
  error: 'e',
  skipped: 'k',
};
