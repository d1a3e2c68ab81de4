/** NOT_FOR_SERVER_AUTH: an extended key usage extension without serverAuth (or anyExtendedKeyUsage). */
import type { Finding } from '../report';
import type { Check } from './types';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_USAGE = '2.5.29.37.0';
const NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export const checkKeyUsage: Check = (input): Finding[] => {
  const eku = input.leaf?.extendedKeyUsage;
  if (!eku || eku.includes(SERVER_AUTH) || eku.includes(ANY_USAGE)) return [];
  const named = eku.map((oid) => NAMES[oid] ?? oid).join(', ') || 'none';
  return [
    {
      code: 'NOT_FOR_SERVER_AUTH',
      severity: 'critical',
      message: `the certificate's extended key usage (${named}) does not allow server authentication`,
    },
  ];
};
