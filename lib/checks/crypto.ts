/**
 * WEAK_SIGNATURE (MD5, SHA-1, MD2) on the leaf and the intermediates, and WEAK_KEY on every
 * certificate of the path, the root's key too (it signs what is below it): RSA under 2048 bits
 * or not a whole number of bytes, EC under 256 bits, and DSA at any size (the CA/Browser
 * Forum allows RSA and ECDSA keys only, 6.1.5).
 */
import type { Finding } from '../report';
import type { CertInfo } from '../x509/cert-info';
import { type Check, pathIntermediates } from './types';

const WEAK_HASH = /^(md2|md5|sha1)|with-?sha1$/i;
const MIN_BITS: Record<string, number> = { RSA: 2048, 'RSA-PSS': 2048, EC: 256 };

function label(info: CertInfo, role: 'leaf' | 'intermediate' | 'root'): string {
  return role === 'leaf' ? 'the certificate' : `${role} "${info.subject}"`;
}

/** Why a key is weak, or null. */
function keyWeakness(info: CertInfo): string | null {
  if (info.keyAlgorithm === 'DSA') return `a DSA key${info.keySize ? ` (${info.keySize} bits)` : ''}, which the Web PKI no longer allows`;
  const min = MIN_BITS[info.keyAlgorithm];
  if (min === undefined || info.keySize === null) return null;
  if (info.keySize < min) return `a ${info.keySize}-bit ${info.keyAlgorithm} key (at least ${min} bits needed)`;
  if (info.keyAlgorithm.startsWith('RSA') && info.keySize % 8 !== 0) return `a ${info.keySize}-bit ${info.keyAlgorithm} key, not a whole number of bytes (CA/Browser Forum 6.1.5)`;
  return null;
}

export const checkCrypto: Check = (input): Finding[] => {
  if (!input.leaf) return [];
  const findings: Finding[] = [];
  const intermediates = pathIntermediates(input);
  const root = input.path.length > 1 + intermediates.length ? input.path[input.path.length - 1] : null;
  const certs = [
    { info: input.leaf, role: 'leaf' as const },
    ...intermediates.map((info) => ({ info, role: 'intermediate' as const })),
    ...(root ? [{ info: root, role: 'root' as const }] : []),
  ];
  for (const { info, role } of certs) {
    const who = label(info, role);
    // A root's own signature is not checked by anyone; its key is.
    if (role !== 'root' && WEAK_HASH.test(info.signatureAlgorithm)) {
      findings.push({ code: 'WEAK_SIGNATURE', severity: 'critical', message: `${who} is signed with ${info.signatureAlgorithm}` });
    }
    const weakness = keyWeakness(info);
    if (weakness) findings.push({ code: 'WEAK_KEY', severity: 'critical', message: `${who} has ${weakness}` });
  }
  return findings;
};
