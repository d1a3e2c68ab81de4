/**
 * HOSTNAME_MISMATCH by RFC 6125: a wildcard only as the whole left-most label, matching
 * exactly one label; IP targets against IP SANs only; the CN only when there are no SANs.
 */
import type { Finding } from '../report';
import { canonicalIp } from '../x509/cert-info';
import type { Check } from './types';

/** Whether one DNS name pattern from a certificate covers `name` (both lower-case). */
export function dnsNameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!p.includes('*')) return p === n;
  const [first, ...rest] = p.split('.');
  // Only "*" as the whole left-most label, and not directly over a single-label suffix ("*.com").
  if (first !== '*' || rest.length < 2 || rest.some((label) => label.includes('*'))) return false;
  const labels = n.split('.');
  return labels.length === rest.length + 1 && labels[0] !== '' && labels.slice(1).join('.') === rest.join('.');
}

/** The names a certificate is valid for, as a person would list them. */
export function coveredNames(dnsNames: string[], ips: string[], commonName: string | null): string[] {
  if (dnsNames.length === 0 && ips.length === 0) return commonName ? [commonName] : [];
  return [...dnsNames, ...ips];
}

export const checkHostname: Check = (input): Finding[] => {
  const leaf = input.leaf;
  if (!leaf) return [];
  const name = input.expectedName;
  const hasSans = leaf.dnsNames.length > 0 || leaf.ipAddresses.length > 0;
  let ok: boolean;
  if (input.expectedNameIsIp) {
    const wanted = canonicalIp(name);
    ok = leaf.ipAddresses.some((ip) => canonicalIp(ip) === wanted) || (!hasSans && leaf.commonName === name);
  } else {
    const candidates = hasSans ? leaf.dnsNames : leaf.commonName ? [leaf.commonName] : [];
    ok = candidates.some((pattern) => dnsNameMatches(pattern, name));
  }
  if (ok) return [];
  const names = coveredNames(leaf.dnsNames, leaf.ipAddresses, leaf.commonName);
  const listed = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  return [
    {
      code: 'HOSTNAME_MISMATCH',
      severity: 'critical',
      message: names.length ? `certificate is valid for ${listed}, not ${name}` : `certificate names no host, so not ${name}`,
    },
  ];
};
