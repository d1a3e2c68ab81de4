/**
 * The rules a certificate must meet for the place it holds on a path (RFC 5280 profile and the
 * CA/Browser Forum Baseline Requirements), and the rules of the path as a whole (path length,
 * name constraints, validity). Pure: data in, sentences out; each sentence completes
 * "<certificate> …".
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { canonicalIp, rfc4514 } from './cert-info';
import { ipText } from './names';
import { type ComparisonBudget, constraintsProblem, nameConstraintsViolation } from './name-constraints';
import { extensionName, KEY_CERT_SIGN, OID, type ParsedCert, sanValues } from './parsed';

/**
 * Where a certificate stands on the path; `trusted-leaf` is a leaf that is itself a trust anchor,
 * `vetted-anchor` an anchor of a root programme (see TrustStore.vetted).
 */
export type Role = 'leaf' | 'trusted-leaf' | 'intermediate' | 'anchor' | 'vetted-anchor';

export interface PathProblem {
  /** Position on the path, 0 = the leaf. */
  index: number;
  /** `validity`: outside its validity period (CHAIN_CERT_EXPIRED); `rule`: everything else. */
  kind: 'validity' | 'rule';
  message: string;
}

/** Extensions whose meaning is understood, so a critical one is no reason to refuse. */
const UNDERSTOOD = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.crlDistributionPoints,
  OID.tlsFeature,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.authorityInfoAccess,
]);

/** Must never be critical (RFC 5280 4.2.1.1, 4.2.1.2, 4.2.2.1). */
const NEVER_CRITICAL = [OID.authorityKeyIdentifier, OID.subjectKeyIdentifier, OID.authorityInfoAccess];

function extension(cert: ParsedCert, oid: string) {
  return cert.extensions.find((e) => e.oid === oid);
}

function serialProblem(serial: Buffer): string | null {
  if (serial.length === 0) return 'has no serial number';
  if (serial[0] & 0x80) return 'has a negative serial number (RFC 5280 4.1.2.2)';
  if (serial.every((b) => b === 0)) return 'has the serial number 0 (RFC 5280 4.1.2.2)';
  const octets = serial[0] === 0 ? serial.length - 1 : serial.length;
  if (octets > 20) return `has a ${octets}-octet serial number, over the 20 RFC 5280 allows`;
  return null;
}

/** A common name read as an IP address the way URL parsers do (hex, octal, short forms), or null. */
function cnAsIp(cn: string): string | null {
  if (isIP(cn)) return canonicalIp(cn);
  try {
    const host = new URL(`http://${cn}/`).hostname;
    return isIP(host) ? host : null;
  } catch {
    return null;
  }
}

/**
 * A CN that names the same host as a SAN must be written exactly as that SAN (CA/Browser Forum
 * BR 7.1.4.3): a different case, IDN form or IP notation is an encoding error by the CA. A CN
 * naming another host is left alone: browsers ignore the CN, and private CAs write
 * descriptive ones.
 */
function commonNameProblem(cert: ParsedCert): string | null {
  if (!cert.subjectAltNames) return null;
  const dns = sanValues(cert, 'dns');
  const ips = cert.subjectAltNames.flatMap((n) => (n.type === 'ip' ? [ipText(n.bytes)] : []));
  for (const cn of cert.commonNames) {
    if (dns.includes(cn) || ips.includes(cn)) continue;
    const ip = cnAsIp(cn);
    const sameHost = ip !== null ? ips.includes(ip) : dns.some((d) => d.toLowerCase() === domainToASCII(cn).toLowerCase());
    if (sameHost) return `has the common name "${cn}", which names one of its subject alternative names but is not written exactly as it (CA/Browser Forum BR 7.1.4.3)`;
  }
  return null;
}

function caProblems(cert: ParsedCert, role: Role): string[] {
  const out: string[] = [];
  const bc = cert.basicConstraints;
  const form = role !== 'vetted-anchor';
  if (!bc) out.push('is used as a CA but has no basic constraints extension');
  else if (!bc.ca) out.push('is used as a CA but its basic constraints say it is not one');
  else if (form && !extension(cert, OID.basicConstraints)?.critical) out.push('is a CA whose basic constraints are not marked critical (RFC 5280 4.2.1.9)');
  if (cert.keyUsage !== null && !(cert.keyUsage & KEY_CERT_SIGN)) out.push('is used as a CA but its key usage does not allow signing certificates');
  if (cert.subject.rdns.length === 0) out.push('is a CA with an empty subject name');
  if (form && !cert.subjectKeyId) out.push('is a CA without a subject key identifier (RFC 5280 4.2.1.2)');
  if (cert.nameConstraints) {
    const problem = constraintsProblem(cert.nameConstraints);
    if (problem) out.push(problem);
  }
  const eku = cert.extKeyUsage;
  // A root programme's root (vetted-anchor): its EKU and the form of its AKI are its programme's business.
  if (role === 'anchor') {
    if (eku) out.push('is a root with an extended key usage extension (CA/Browser Forum 7.1.2.1.2)');
    const aki = cert.authorityKeyId;
    if (aki && cert.selfIssued) {
      if (!aki.keyId) out.push('is a root whose authority key identifier has no key identifier');
      else if (cert.subjectKeyId && !aki.keyId.equals(cert.subjectKeyId)) out.push("is a root whose authority key identifier is not its subject key identifier");
      if (aki.hasIssuer || aki.hasSerial) out.push('is a root whose authority key identifier names an issuer or serial (CA/Browser Forum 7.1.2.1.3)');
    }
  } else if (role === 'intermediate' && eku && !eku.includes(OID.serverAuth) && !eku.includes(OID.anyExtendedKeyUsage)) {
    out.push('is a CA whose extended key usage does not allow server authentication');
  }
  return out;
}

function leafProblems(cert: ParsedCert, role: Role): string[] {
  const out: string[] = [];
  if (role === 'leaf' && cert.basicConstraints?.ca) out.push('is a CA certificate used as a server certificate (CA/Browser Forum 7.1.2.7.8)');
  if (cert.nameConstraints) out.push('has name constraints but is not a CA');
  const eku = cert.extKeyUsage;
  if (eku?.includes(OID.anyExtendedKeyUsage)) out.push('has anyExtendedKeyUsage in its extended key usage (CA/Browser Forum 7.1.2.7.10)');
  if (eku && extension(cert, OID.extKeyUsage)?.critical) out.push('has a critical extended key usage extension (CA/Browser Forum 7.1.2.7.6)');
  const san = extension(cert, OID.subjectAltName);
  if (cert.subject.rdns.length === 0 && !san?.critical) out.push('has an empty subject and no critical subject alternative name (RFC 5280 4.2.1.6)');
  if (san?.critical && cert.subject.rdns.length > 0) out.push('has a critical subject alternative name beside a subject (CA/Browser Forum 7.1.2.7.12)');
  const cn = commonNameProblem(cert);
  if (cn) out.push(cn);
  return out;
}

/** What is wrong with `cert` in the place `role`, whatever the rest of the path. */
export function certificateProblems(cert: ParsedCert, role: Role): string[] {
  const out = [...cert.malformed];
  if (cert.version !== 3) out.push(`is an X.509 v${cert.version} certificate, not v3`);
  for (const oid of new Set(cert.duplicateExtensions)) out.push(`has the ${extensionName(oid)} extension more than once`);
  for (const e of cert.extensions) {
    if (e.critical && !UNDERSTOOD.has(e.oid)) out.push(`has an unknown critical extension ${e.oid}`);
  }
  for (const oid of NEVER_CRITICAL) if (extension(cert, oid)?.critical) out.push(`has a critical ${extensionName(oid)} extension, which must not be critical`);
  const pc = extension(cert, OID.policyConstraints);
  if (pc && !pc.critical) out.push('has policy constraints not marked critical (RFC 5280 4.2.1.11)');
  if (cert.issuer.rdns.length === 0) out.push('has an empty issuer name');
  if (!cert.signatureAlgorithmsMatch) out.push('names two different signature algorithms (RFC 5280 4.1.1.2)');
  if (cert.explicitCurve) out.push('gives its EC key with explicit curve parameters instead of a named curve');
  // Only a self-issued certificate may leave out the AKI: a cross-signed root kept as a trust
  // anchor must carry one too (OpenSSL's strict mode agrees).
  if (!cert.authorityKeyId && !cert.selfIssued) out.push('has no authority key identifier (RFC 5280 4.2.1.1)');
  const bc = cert.basicConstraints;
  if (cert.keyUsage !== null && cert.keyUsage & KEY_CERT_SIGN && !bc?.ca) out.push('may sign certificates by its key usage but is not a CA');
  if (bc && bc.pathLength !== null && (!bc.ca || (cert.keyUsage !== null && !(cert.keyUsage & KEY_CERT_SIGN)))) {
    out.push('sets a path length without being a CA that signs certificates (RFC 5280 4.2.1.9)');
  }
  if (role === 'leaf' || role === 'intermediate') {
    const serial = serialProblem(cert.serial);
    if (serial) out.push(serial);
  }
  return out.concat(role === 'leaf' || role === 'trusted-leaf' ? leafProblems(cert, role) : caProblems(cert, role));
}

/** Whether `at` is inside the validity period, both ends inclusive at the second. */
export function validAt(cert: ParsedCert, at: Date): boolean {
  const second = Math.floor(at.getTime() / 1000) * 1000;
  return second >= cert.notBefore && second <= cert.notAfter;
}

/**
 * The rules of the whole path (leaf first, anchor last): each CA's path length and name
 * constraints over the certificates below it, and every certificate above the leaf valid at
 * `at` (the leaf's own dates are the expiry check's).
 */
export function pathProblems(path: readonly ParsedCert[], at: Date, maxIntermediates: number | null, budget: ComparisonBudget): PathProblem[] {
  const out: PathProblem[] = [];
  // Non-self-issued intermediates below each position (RFC 5280 6.1.4 (l)).
  let counted = 0;
  for (let i = 1; i < path.length; i++) {
    const cert = path[i];
    const limit = cert.basicConstraints?.pathLength ?? null;
    if (limit !== null && counted > limit) {
      out.push({ index: i, kind: 'rule', message: `allows ${limit} intermediate${limit === 1 ? '' : 's'} below it, and the path has ${counted}` });
    }
    if (cert.nameConstraints) {
      for (let j = 0; j < i; j++) {
        if (j > 0 && path[j].selfIssued) continue;
        const violation = nameConstraintsViolation(cert, path[j], budget);
        if (violation) out.push({ index: j, kind: 'rule', message: `breaks the name constraints of "${rfc4514(cert.x509.subject)}": ${violation}` });
      }
    }
    if (!validAt(cert, at)) {
      const expired = at.getTime() > cert.notAfter;
      out.push({
        index: i,
        kind: 'validity',
        message: expired ? `expired on ${new Date(cert.notAfter).toISOString().slice(0, 10)}` : `is not valid before ${new Date(cert.notBefore).toISOString().slice(0, 10)}`,
      });
    }
    if (i < path.length - 1 && !cert.selfIssued) counted++;
  }
  if (maxIntermediates !== null && counted > maxIntermediates) {
    out.push({ index: path.length - 1, kind: 'rule', message: `ends a path of ${counted} intermediate${counted === 1 ? '' : 's'}, over the ${maxIntermediates} allowed` });
  }
  return out;
}

