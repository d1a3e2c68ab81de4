/**
 * KEY_MISMATCH: the private key given with the certificates (--key-file) does not belong to the
 * leaf, so a server configured with both would fail every handshake. The key was compared where
 * its file was read; this check only judges the verdict it is given.
 */
import type { Finding } from '../report';
import type { Check } from './types';

export const checkKeyMatch: Check = (input): Finding[] => {
  const key = input.keyMatch;
  if (!key || key.matches || !input.leaf) return [];
  return [
    {
      code: 'KEY_MISMATCH',
      severity: 'critical',
      message: `the private key in ${key.source} does not belong to the certificate "${input.leaf.subject}" (its public key differs)`,
    },
  ];
};
