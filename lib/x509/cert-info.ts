/**
 * Facts about one certificate, read once and cached by fingerprint (fleets share
 * intermediates). Everything comes from Node's native X509Certificate (OpenSSL's parser),
 * except the signature algorithm, which Node 20 does not expose: a few lines of DER read it.
 * A JavaScript ASN.1 parse costs about 0.6 ms a certificate, more than the rest of a check.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateSignatureOid } from '../der';
import { perCertificate } from './per-certificate';

export interface CertInfo {
  cert: X509Certificate;
  /** RFC 4514 order, e.g. "CN=R11,O=Let's Encrypt,C=US". */
  subject: string;
  issuer: string;
  /** Lower-case hex, no colons. */
  fingerprintSha256: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  commonName: string | null;
  dnsNames: string[];
  ipAddresses: string[];
  /** "RSA", "EC", "Ed25519", ... */
  keyAlgorithm: string;
  keySize: number | null;
  signatureAlgorithm: string;
  /** Extended key usage OIDs; null when the extension is absent (any use allowed). */
  extendedKeyUsage: string[] | null;
  isCA: boolean;
  /** Subject equals issuer (a root or a self-signed leaf; the signature is checked elsewhere). */
  selfIssued: boolean;
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

const KEY_NAMES: Record<string, string> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  dsa: 'DSA',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
};

/**
 * Node prints names one attribute a line in DER order; RFC 4514 wants them reversed. Node gives
 * undefined for an empty name (a hostile or broken certificate): that is "".
 */
export function rfc4514(name: string | undefined): string {
  return (name ?? '').split('\n').reverse().join(',');
}

function commonName(name: string | undefined): string | null {
  const line = (name ?? '').split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : null;
}

function keyFacts(cert: X509Certificate): Pick<CertInfo, 'keyAlgorithm' | 'keySize'> {
  let key;
  try {
    key = cert.publicKey;
  } catch {
    // A key type OpenSSL cannot load (a hostile or exotic certificate) is reported, not fatal.
    return { keyAlgorithm: 'unknown', keySize: null };
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  const size =
    details.modulusLength ??
    (details.namedCurve ? (CURVE_BITS[details.namedCurve] ?? null) : null) ??
    (type === 'ed25519' ? 256 : type === 'ed448' ? 456 : null);
  return { keyAlgorithm: KEY_NAMES[type] ?? type.toUpperCase(), keySize: size };
}

/** An IP address in canonical form (IPv6 compressed and lower-case, as `::1`). */
export function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/**
 * Splits Node's subjectAltName text ("DNS:a, DNS:b, IP Address:1.2.3.4"). Node quotes a
 * value with JSON escapes when it holds a comma, a quote or another special character.
 */
export function parseSubjectAltName(text: string | undefined): { dns: string[]; ip: string[] } {
  const result = { dns: [] as string[], ip: [] as string[] };
  if (!text) return result;
  let pos = 0;
  while (pos < text.length) {
    const colon = text.indexOf(':', pos);
    if (colon < 0) break;
    const type = text.slice(pos, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      next = text.indexOf(', ', end);
    } else {
      next = text.indexOf(', ', colon);
      value = text.slice(colon + 1, next < 0 ? undefined : next);
    }
    if (type === 'DNS') result.dns.push(value.toLowerCase());
    else if (type === 'IP Address') result.ip.push(canonicalIp(value.toLowerCase()));
    pos = next < 0 ? text.length : next + 2;
  }
  return result;
}

function signatureAlgorithm(cert: X509Certificate): string {
  try {
    const oid = certificateSignatureOid(cert.raw);
    return SIGNATURE_ALGORITHMS[oid] ?? oid;
  } catch {
    return 'unknown';
  }
}

function describe(cert: X509Certificate): CertInfo {
  const sans = parseSubjectAltName(cert.subjectAltName);
  return {
    cert,
    subject: rfc4514(cert.subject),
    issuer: rfc4514(cert.issuer),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    commonName: commonName(cert.subject),
    dnsNames: sans.dns,
    ipAddresses: sans.ip,
    ...keyFacts(cert),
    signatureAlgorithm: signatureAlgorithm(cert),
    // Node names the extended key usages "keyUsage"; undefined when the extension is absent.
    extendedKeyUsage: cert.keyUsage ?? null,
    isCA: cert.ca,
    selfIssued: cert.subject === cert.issuer,
  };
}

/** Facts about a certificate, parsed once per process for each fingerprint. */
export const certInfo: (cert: X509Certificate) => CertInfo = perCertificate(describe);

/** Days from `now` to `date`, one decimal. */
export function daysUntil(date: Date, now: Date): number {
  return Math.round(((date.getTime() - now.getTime()) / 86_400_000) * 10) / 10;
}
