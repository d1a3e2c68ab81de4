/** EXPIRED, NOT_YET_VALID and EXPIRES_SOON for the leaf and every intermediate on the path. */
import type { Finding } from '../report';
import { daysUntil } from '../x509/cert-info';
import { type Check, day, days, pathIntermediates } from './types';

export const checkExpiry: Check = (input, ctx): Finding[] => {
  const leaf = input.leaf;
  if (!leaf) return [];
  const findings: Finding[] = [];
  const now = ctx.now.getTime();
  if (leaf.notBefore.getTime() > now) {
    findings.push({
      code: 'NOT_YET_VALID',
      severity: 'critical',
      message: `certificate is not valid before ${day(leaf.notBefore)} (in ${days(daysUntil(leaf.notBefore, ctx.now))})`,
    });
  }
  // Valid through the whole second of notAfter (RFC 5280 4.1.2.5: the period is inclusive).
  if (now >= leaf.notAfter.getTime() + 1000) {
    findings.push({
      code: 'EXPIRED',
      severity: 'critical',
      message: `certificate expired on ${day(leaf.notAfter)} (${days(daysUntil(leaf.notAfter, ctx.now))} ago)`,
    });
  }
  const candidates = [
    { info: leaf, label: 'certificate' },
    ...pathIntermediates(input).map((info) => ({ info, label: `intermediate "${info.subject}"` })),
  ];
  for (const { info, label } of candidates) {
    if (now >= info.notAfter.getTime() + 1000) continue; // EXPIRED or CHAIN_CERT_EXPIRED says it
    const remaining = daysUntil(info.notAfter, ctx.now);
    if (remaining > ctx.warnDays) continue;
    findings.push({
      code: 'EXPIRES_SOON',
      severity: remaining <= ctx.criticalDays ? 'critical' : 'warning',
      message: `${label} expires in ${days(remaining)} (${day(info.notAfter)})`,
    });
  }
  return findings;
};
