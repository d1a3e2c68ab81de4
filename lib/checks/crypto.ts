/** WEAK_SIGNATURE (MD5, SHA-1, MD2) and WEAK_KEY (RSA < 2048, EC < 256) below the root. */
import type { Finding } from '../report';
import type { CertInfo } from '../x509/cert-info';
import { type Check, pathIntermediates } from './types';

const WEAK_HASH = /^(md2|md5|sha1)|with-?sha1$/i;
const MIN_BITS: Record<string, number> = { RSA: 2048, 'RSA-PSS': 2048, DSA: 2048, EC: 256 };

function label(info: CertInfo, isLeaf: boolean): string {
  return isLeaf ? 'the certificate' : `intermediate "${info.subject}"`;
}

export const checkCrypto: Check = (input): Finding[] => {
  if (!input.leaf) return [];
  const findings: Finding[] = [];
  // The leaf, then the intermediates the server sent (the root's own signature does not matter).
  const certs = [input.leaf, ...pathIntermediates(input)];
  certs.forEach((info, i) => {
    const who = label(info, i === 0);
    if (WEAK_HASH.test(info.signatureAlgorithm)) {
      findings.push({ code: 'WEAK_SIGNATURE', severity: 'critical', message: `${who} is signed with ${info.signatureAlgorithm}` });
    }
    const min = MIN_BITS[info.keyAlgorithm];
    if (min !== undefined && info.keySize !== null && info.keySize < min) {
      findings.push({
        code: 'WEAK_KEY',
        severity: 'critical',
        message: `${who} has a ${info.keySize}-bit ${info.keyAlgorithm} key (at least ${min} bits needed)`,
      });
    }
  });
  return findings;
};
