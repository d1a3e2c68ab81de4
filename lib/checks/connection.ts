/** A target that gave no certificate: DNS, connection, handshake or time-out failures. */
import type { Finding, Severity } from '../report';
import type { Check } from './types';

const SEVERITY: Record<string, Severity> = {
  DNS_FAILED: 'unknown',
  CONNECTION_FAILED: 'unknown',
  TIMEOUT: 'unknown',
  HANDSHAKE_FAILED: 'critical',
};

export const checkConnection: Check = (input): Finding[] => {
  if (!input.failure) return [];
  return [{ code: input.failure.code, severity: SEVERITY[input.failure.code], message: input.failure.message }];
};
