/**
 * RFC 5280 4.2.1.10 name constraints: whether a CA's constraints are well formed, and whether
 * the names of a certificate below it (subject and subject alternative names) stay inside them.
 * A wildcard name is judged by every name it could match (CVE-2025-61727): it must lie wholly
 * inside a permitted subtree and must not be able to match an excluded one.
 */
import { GENERAL_NAME_FORMS, type GeneralName, ipText, nameWithin } from './names';
import type { NameConstraints, ParsedCert, Subtree } from './parsed';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A host name in preferred name syntax (RFC 1034 3.5 as relaxed by RFC 1123 2.1). */
export function validHostName(name: string): boolean {
  const labels = name.split('.');
  return name.length > 0 && name.length <= 253 && labels.every((label) => LABEL.test(label));
}

/** A dNSName as a certificate may carry it: a host name, or "*." and a host name of two labels or more. */
export function validDnsPattern(name: string): boolean {
  if (name.startsWith('*.')) return validHostName(name.slice(2)) && name.slice(2).includes('.');
  return validHostName(name);
}

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase();
  const b = base.toLowerCase();
  return b === '' || n === b || n.endsWith(`.${b}`);
}

function ipWithin(bytes: Buffer, base: Buffer): boolean {
  const half = base.length / 2;
  if (bytes.length !== half) return false;
  for (let i = 0; i < half; i++) if ((bytes[i] & base[half + i]) !== (base[i] & base[half + i])) return false;
  return true;
}

function hostWithin(host: string, base: string): boolean {
  const h = host.toLowerCase();
  const b = base.toLowerCase();
  return b.startsWith('.') ? h.endsWith(b) : h === b;
}

function emailWithin(mailbox: string, base: string): boolean {
  if (base.includes('@')) return mailbox.toLowerCase() === base.toLowerCase();
  const at = mailbox.lastIndexOf('@');
  return at >= 0 && hostWithin(mailbox.slice(at + 1), base);
}

function uriHost(uri: string): string | null {
  try {
    return new URL(uri).hostname.replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}

/** Whether every name a dNSName (pattern) could stand for lies inside `base`. */
function dnsPatternWithin(name: string, base: string): boolean {
  return dnsWithin(name.startsWith('*.') ? name.slice(2) : name, base);
}

/** Whether some name a dNSName pattern could stand for lies inside `base`. */
function dnsPatternMeets(name: string, base: string): boolean {
  if (!name.startsWith('*.')) return dnsWithin(name, base);
  const parent = name.slice(2).toLowerCase();
  const b = base.toLowerCase();
  if (dnsWithin(parent, b)) return true;
  // "*.example.com" matches "bar.example.com" itself: one label over the parent.
  return b.endsWith(`.${parent}`) && !b.slice(0, -parent.length - 1).includes('.');
}

/** "an otherName", "a registeredID". */
function form(tag: number): string {
  const name = GENERAL_NAME_FORMS[tag];
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** The prefix length of an iPAddress constraint's mask (its second half), or null when the mask is not contiguous. */
function prefixLength(constraint: Buffer): number | null {
  const bits = [...constraint.subarray(constraint.length / 2)].map((b) => b.toString(2).padStart(8, '0')).join('');
  return /01/.test(bits) ? null : bits.indexOf('0') < 0 ? bits.length : bits.indexOf('0');
}

/** An iPAddress constraint (address and mask) as CIDR, e.g. 192.0.2.0/24. */
function cidr(bytes: Buffer): string | null {
  const address = ipText(bytes.subarray(0, bytes.length / 2));
  const prefix = prefixLength(bytes);
  return address === null || prefix === null ? null : `${address}/${prefix}`;
}

function describe(name: GeneralName, isConstraint = false): string {
  switch (name.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return name.value;
    case 'ip':
      return (isConstraint ? cidr(name.bytes) : ipText(name.bytes)) ?? `a ${name.bytes.length}-byte address`;
    case 'dn':
      return name.name.rdns.map((rdn) => rdn.map((a) => a.value).join('+')).join(', ') || 'an empty name';
    default:
      return form(name.tag);
  }
}

function sameForm(a: GeneralName, b: GeneralName): boolean {
  return a.type === b.type && (a.type !== 'other' || a.tag === (b as { tag: number }).tag);
}

/** Inside the subtree: `wholly` for permitted subtrees, `partly` (could match) for excluded ones. */
function within(name: GeneralName, base: GeneralName, wholly: boolean): boolean {
  switch (name.type) {
    case 'dns':
      return wholly ? dnsPatternWithin(name.value, (base as { value: string }).value) : dnsPatternMeets(name.value, (base as { value: string }).value);
    case 'ip':
      return ipWithin(name.bytes, (base as { bytes: Buffer }).bytes);
    case 'email':
      return emailWithin(name.value, (base as { value: string }).value);
    case 'uri': {
      const host = uriHost(name.value);
      return host !== null && hostWithin(host, (base as { value: string }).value);
    }
    case 'dn':
      return nameWithin(name.name, (base as { name: typeof name.name }).name);
    default:
      return false;
  }
}

/** Why a CA's name constraints extension is unusable, or null when it is well formed. */
export function constraintsProblem(constraints: NameConstraints): string | null {
  const subtrees: Subtree[] = [...(constraints.permitted ?? []), ...(constraints.excluded ?? [])];
  if (subtrees.length === 0) return 'its name constraints permit and exclude nothing (CA/Browser Forum 7.1.2.5.2)';
  for (const { base } of subtrees) {
    if (base.type === 'dns' && base.value !== '' && !validHostName(base.value)) {
      return `its name constraint "${base.value}" is not a valid DNS name constraint`;
    }
    if (base.type === 'ip' && ((base.bytes.length !== 8 && base.bytes.length !== 32) || prefixLength(base.bytes) === null)) {
      return `its name constraint on IP addresses is not an address and a network mask`;
    }
  }
  return null;
}

const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/**
 * The names of `cert` that name constraints apply to: the non-empty subject, every SAN, and an
 * emailAddress in the subject as an rfc822Name (RFC 5280 4.2.1.10, for legacy certificates).
 */
function namesOf(cert: ParsedCert): GeneralName[] {
  const names: GeneralName[] = cert.subject.rdns.length > 0 ? [{ type: 'dn', name: cert.subject }] : [];
  for (const rdn of cert.subject.rdns) for (const a of rdn) if (a.oid === EMAIL_ADDRESS) names.push({ type: 'email', value: a.value });
  return names.concat(cert.subjectAltNames ?? []);
}

function malformedName(name: GeneralName): string | null {
  if (name.type === 'dns' && !validDnsPattern(name.value)) return `"${name.value}" is not a valid DNS name`;
  if (name.type === 'ip' && name.bytes.length !== 4 && name.bytes.length !== 16) return `its iPAddress is ${name.bytes.length} bytes, not an address`;
  return null;
}

/** What is left of the comparisons one validation may make (hostile chains: huge name and constraint sets). */
export interface ComparisonBudget {
  left: number;
}

/**
 * Why `cert` breaks the name constraints of `ca`, or null when its names are all allowed. A
 * form the constraints restrict but this code cannot judge (otherName, x400Address, ...) fails,
 * and so does a check that would take more comparisons than `budget` has left.
 */
export function nameConstraintsViolation(ca: ParsedCert, cert: ParsedCert, budget: ComparisonBudget): string | null {
  const constraints = ca.nameConstraints;
  if (!constraints) return null;
  const permitted = constraints.permitted ?? [];
  const excluded = constraints.excluded ?? [];
  const names = namesOf(cert);
  budget.left -= names.length * (permitted.length + excluded.length);
  if (budget.left < 0) return 'checking its names would take more comparisons than certcheck allows one chain (a bound against hostile chains)';
  for (const name of names) {
    const ofPermitted = permitted.filter((s) => sameForm(name, s.base));
    const ofExcluded = excluded.filter((s) => sameForm(name, s.base));
    if (ofPermitted.length === 0 && ofExcluded.length === 0) continue;
    if (name.type === 'other') return `it has ${form(name.tag)} name, which the name constraints restrict and certcheck cannot judge`;
    const bad = malformedName(name);
    if (bad) return `${bad}, under name constraints`;
    const shown = describe(name);
    const excludedBy = ofExcluded.find((s) => within(name, s.base, false));
    if (excludedBy) return `"${shown}" is excluded by the name constraint "${describe(excludedBy.base, true)}"`;
    if (ofPermitted.length > 0 && !ofPermitted.some((s) => within(name, s.base, true))) {
      return `"${shown}" is outside the permitted names (${ofPermitted.map((s) => describe(s.base, true)).join(', ')})`;
    }
  }
  return null;
}
