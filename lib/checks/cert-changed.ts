/**
 * CERT_CHANGED: the leaf differs from the one in the target's previous stored report. Unlike the
 * other checks it compares two reports, so the doors that keep reports run it when they store one.
 */
import type { Finding, Report } from '../report';

function shortFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').slice(0, 16).toLowerCase();
}

export function checkCertChanged(previous: Report | null, current: Report): Finding[] {
  const before = previous?.leaf;
  const now = current.leaf;
  if (!before || !now || before.fingerprintSha256 === now.fingerprintSha256) return [];
  return [
    {
      code: 'CERT_CHANGED',
      severity: 'info',
      message:
        `certificate changed since ${previous.checkedAt.slice(0, 10)}: ` +
        `was ${shortFingerprint(before.fingerprintSha256)}… issued by "${before.issuer}", expiring ${before.notAfter.slice(0, 10)}; ` +
        `now ${shortFingerprint(now.fingerprintSha256)}… issued by "${now.issuer}", expiring ${now.notAfter.slice(0, 10)}`,
    },
  ];
}
