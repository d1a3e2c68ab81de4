/**
 * The revocation observation of a path when nothing is looked up and no staple came
 * (--no-revocation): every certificate below the anchor `not-checked`. Kept apart from
 * look-up.ts so that such a run never loads the OCSP and CMS parsers (about 150 ms of a cold
 * start).
 */
import type { X509Certificate } from 'node:crypto';
import { certInfo } from '../x509/cert-info';
import { revocationFacts } from './cert-urls';
import type { CertRevocation, RevocationObservation } from './look-up';

/** One certificate's entry with the status and fields given, the rest empty. */
export function revocationEntry(base: Pick<CertRevocation, 'subject' | 'role'>, fields: Partial<CertRevocation>): CertRevocation {
  return { ...base, status: 'unknown', method: 'none', revokedAt: null, reason: null, nextUpdate: null, error: null, ...fields };
}

/** The subject and role of the i-th certificate of a path. */
export function revocationBase(cert: X509Certificate, i: number): Pick<CertRevocation, 'subject' | 'role'> {
  return { subject: certInfo(cert).subject, role: i === 0 ? 'leaf' : 'intermediate' };
}

/** `path` below its anchor (when `anchored`), none looked up, no staple. */
export function notLookedUp(path: readonly X509Certificate[], anchored: boolean): RevocationObservation {
  const checked = path.slice(0, anchored ? -1 : undefined);
  return {
    lookedUp: false,
    staple: { present: false, error: null },
    mustStaple: revocationFacts(path[0]).mustStaple,
    certs: checked.map((cert, i) => revocationEntry(revocationBase(cert, i), { status: 'not-checked' })),
  };
}
