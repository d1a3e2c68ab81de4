/**
 * HOSTNAME_MISMATCH by RFC 6125 as browsers apply it: names come from the subject alternative
 * names only (the CN is not read, as Chrome and Go do not); a wildcard only as the whole
 * left-most label, matching exactly one label, and never over a public suffix ("*.co.uk");
 * a SAN that is not a valid DNS name ("foo_bar.example.com") matches nothing; IP targets
 * against IP SANs only.
 */
import type { Finding } from '../report';
import { canonicalIp } from '../x509/cert-info';
import { validDnsPattern } from '../x509/name-constraints';
import type { Check } from './types';

let publicSuffixList: typeof import('tldts') | undefined;

/**
 * Whether `name` is a public suffix ("co.uk"). The list is loaded on the first wildcard that
 * could match: it costs a cold start about 20 ms, for fleets that may have no wildcard at all.
 */
function isPublicSuffix(name: string): boolean {
  // A synchronous load on first use: the checks are synchronous.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  publicSuffixList ??= require('tldts') as typeof import('tldts');
  return publicSuffixList.getPublicSuffix(name, { allowPrivateDomains: true }) === name;
}

/** Whether one DNS name pattern from a certificate covers `name`. */
export function dnsNameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!validDnsPattern(p)) return false;
  if (!p.startsWith('*.')) return p === n;
  const parent = p.slice(2);
  const dot = n.indexOf('.');
  return dot > 0 && n.slice(dot + 1) === parent && !isPublicSuffix(parent);
}

export const checkHostname: Check = (input): Finding[] => {
  const leaf = input.leaf;
  const name = input.expectedName;
  if (!leaf || name === null) return [];
  const ok = input.expectedNameIsIp
    ? leaf.ipAddresses.some((ip) => canonicalIp(ip) === canonicalIp(name))
    : leaf.dnsNames.some((pattern) => dnsNameMatches(pattern, name));
  if (ok) return [];
  const names = [...leaf.dnsNames, ...leaf.ipAddresses];
  const listed = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  let message: string;
  if (names.length > 0) message = `certificate is valid for ${listed}, not ${name}`;
  else if (leaf.commonName) message = `certificate has no subject alternative name, so it is valid for no host: browsers ignore its common name "${leaf.commonName}"`;
  else message = `certificate names no host, so not ${name}`;
  return [{ code: 'HOSTNAME_MISMATCH', severity: 'critical', message }];
};
