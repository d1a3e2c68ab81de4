/** A target that gave no certificate: DNS, connection, STARTTLS, handshake, time-out, refused-address or internal failures. */
import type { Finding, Severity } from '../report';
import type { Check, CheckInput } from './types';

const SEVERITY: Record<NonNullable<CheckInput['failure']>['code'], Severity> = {
  DNS_FAILED: 'unknown',
  CONNECTION_FAILED: 'unknown',
  TIMEOUT: 'unknown',
  CHECK_FAILED: 'unknown',
  BLOCKED_ADDRESS: 'unknown',
  HANDSHAKE_FAILED: 'critical',
  STARTTLS_REFUSED: 'critical',
};

export const checkConnection: Check = (input): Finding[] => {
  if (!input.failure) return [];
  return [{ code: input.failure.code, severity: SEVERITY[input.failure.code], message: input.failure.message }];
};
