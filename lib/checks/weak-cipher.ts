/**
 * WEAK_CIPHER: the negotiated cipher suite is anonymous, NULL (no encryption), EXPORT grade, RC4,
 * single DES or 3DES. Suites are named as IANA does (Node's standardName, the weak-suite probe);
 * OpenSSL's names are read too.
 */
import type { Finding } from '../report';
import type { Check } from './types';

/** What makes a suite weak, most serious first: the first that matches names it. */
const WEAKNESSES: readonly { why: string; iana: RegExp; openssl: RegExp }[] = [
  { why: 'anonymous: the server is not authenticated', iana: /_anon_/i, openssl: /^(EXP1?-)?(ADH|AECDH)-/i },
  { why: 'NULL: no encryption', iana: /_WITH_NULL_|^TLS_NULL_WITH/i, openssl: /(^|-)NULL-/i },
  { why: 'EXPORT grade', iana: /_EXPORT/i, openssl: /^EXP1?-/i },
  { why: 'RC4', iana: /_RC4_/i, openssl: /(^|-)RC4-/i },
  { why: '3DES', iana: /_3DES_/i, openssl: /DES-CBC3-/i },
  { why: 'single DES', iana: /_DES(40)?_CBC_/i, openssl: /(^|-)DES-CBC-/i },
];

/** Why `cipher` is weak, or null when it is none of the weak kinds. */
export function cipherWeakness(cipher: string): string | null {
  const iana = cipher.startsWith('TLS_') || cipher.startsWith('SSL_');
  return WEAKNESSES.find((w) => (iana ? w.iana : w.openssl).test(cipher))?.why ?? null;
}

export const checkWeakCipher: Check = (input): Finding[] => {
  const cipher = input.negotiated?.cipher;
  const why = cipher === undefined ? null : cipherWeakness(cipher);
  if (cipher === undefined || why === null) return [];
  const how = input.negotiated?.incomplete ? ', read from its hello: Node cannot complete a handshake with it' : '';
  return [{ code: 'WEAK_CIPHER', severity: 'critical', message: `the server negotiated ${cipher} (${why})${how}` }];
};
