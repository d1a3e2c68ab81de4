/** REVOKED, MUST_STAPLE_MISSING, STAPLE_INVALID and REVOCATION_UNKNOWN, and the report's `revocation` field. */
import type { Finding, RevocationReport } from '../report';
import type { CertRevocation, RevocationMethod } from '../revocation/look-up';
import type { Check, CheckInput } from './types';
import { day } from './types';

const SAYS: Record<RevocationMethod, string> = {
  'ocsp-stapled': 'the stapled OCSP response',
  ocsp: 'its OCSP responder',
  crl: 'its CRL',
  none: 'nothing',
};

function which(cert: CertRevocation): string {
  return `${cert.role === 'leaf' ? 'the certificate' : 'the intermediate'} "${cert.subject}"`;
}

export const checkRevocation: Check = (input): Finding[] => {
  const observed = input.revocation;
  if (!observed) return [];
  const findings: Finding[] = [];
  for (const cert of observed.certs) {
    if (cert.status !== 'revoked') continue;
    const when = cert.revokedAt ? ` on ${day(new Date(cert.revokedAt))}` : '';
    findings.push({ code: 'REVOKED', severity: 'critical', message: `${which(cert)} was revoked${when}${cert.reason ? ` (${cert.reason})` : ''}, says ${SAYS[cert.method]}` });
  }
  const stapleValid = observed.staple.present && observed.staple.error === null;
  if (observed.staple.present && !stapleValid) {
    findings.push({ code: 'STAPLE_INVALID', severity: 'warning', message: `the stapled OCSP response does not count: ${observed.staple.error}` });
  }
  if (observed.mustStaple && !stapleValid) {
    findings.push({
      code: 'MUST_STAPLE_MISSING',
      severity: 'critical',
      message: `the certificate demands OCSP stapling (TLS feature status_request), and the server sent ${observed.staple.present ? 'no valid' : 'no'} OCSP response`,
    });
  }
  for (const cert of observed.certs) {
    if (cert.status === 'unknown' && cert.error) {
      findings.push({ code: 'REVOCATION_UNKNOWN', severity: 'info', message: `no revocation answer for ${which(cert)}: ${cert.error}` });
    }
  }
  return findings;
};

const NOT_CHECKED: RevocationReport = { status: 'not-checked', method: 'none', revokedAt: null, reason: null, nextUpdate: null };

/**
 * The report's summary: revoked when any certificate is, else unknown when any that could be
 * asked is, else good;
 * the method and nextUpdate of the certificate that decided (the leaf, unless another is revoked).
 */
export function revocationReport(input: Pick<CheckInput, 'revocation'>): RevocationReport {
  const observed = input.revocation;
  const leaf = observed?.certs[0];
  if (!observed || !leaf) return NOT_CHECKED;
  const revoked = observed.certs.find((c) => c.status === 'revoked');
  const decider = revoked ?? leaf;
  if (!revoked && leaf.status === 'not-checked') return NOT_CHECKED;
  // Under --no-revocation a valid staple still speaks for the leaf; the others were not asked.
  // An intermediate that names no responder and no CRL has nothing to say, and is left out.
  const counted = observed.lookedUp ? observed.certs.filter((c) => c === leaf || c.method !== 'none' || c.error !== null) : [leaf];
  const status = revoked ? 'revoked' : counted.every((c) => c.status === 'good') ? 'good' : 'unknown';
  return { status, method: decider.method, revokedAt: decider.revokedAt, reason: decider.reason, nextUpdate: decider.nextUpdate };
}
