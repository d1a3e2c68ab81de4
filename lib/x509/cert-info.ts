/**
 * Facts about one certificate, read once and cached by fingerprint (fleets share
 * intermediates). Native X509Certificate does the fast parts; @peculiar/x509 reads the
 * extensions and the signature algorithm, which Node does not expose.
 */
import type { X509Certificate } from 'node:crypto';
import { peculiar } from './peculiar';

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

/** Node prints names one attribute a line in DER order; RFC 4514 wants them reversed. */
function rfc4514(name: string): string {
  return name.split('\n').reverse().join(',');
}

function commonName(name: string): string | null {
  const line = name.split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : null;
}

function keyFacts(cert: X509Certificate): Pick<CertInfo, 'keyAlgorithm' | 'keySize'> {
  const key = cert.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  const size =
    details.modulusLength ??
    (details.namedCurve ? (CURVE_BITS[details.namedCurve] ?? null) : null) ??
    (type === 'ed25519' ? 256 : type === 'ed448' ? 456 : null);
  return { keyAlgorithm: KEY_NAMES[type] ?? type.toUpperCase(), keySize: size };
}

function describe(cert: X509Certificate): CertInfo {
  const { x509, AsnConvert, Certificate } = peculiar();
  const asn = AsnConvert.parse(cert.raw, Certificate);
  // Node does not expose the signature algorithm; @peculiar/x509 names only the ones WebCrypto
  // knows (not MD5), so read the OID and name it here.
  const sigOid = asn.signatureAlgorithm.algorithm;
  const parsed = new x509.X509Certificate(asn);
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  const basic = parsed.getExtension(x509.BasicConstraintsExtension);
  const items = san?.names.items ?? [];
  return {
    cert,
    subject: rfc4514(cert.subject),
    issuer: rfc4514(cert.issuer),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    commonName: commonName(cert.subject),
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => n.value.toLowerCase()),
    ...keyFacts(cert),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[sigOid] ?? sigOid,
    extendedKeyUsage: eku ? eku.usages.map(String) : null,
    isCA: basic?.ca ?? false,
    selfIssued: cert.subject === cert.issuer,
  };
}

const MAX_CACHED = 5000;
const cache = new Map<string, CertInfo>();

/** Facts about a certificate, parsed once per process for each fingerprint. */
export function certInfo(cert: X509Certificate): CertInfo {
  const key = cert.fingerprint256;
  let info = cache.get(key);
  if (!info) {
    info = describe(cert);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(key, info);
  }
  return info;
}

/** Days from `now` to `date`, one decimal. */
export function daysUntil(date: Date, now: Date): number {
  return Math.round(((date.getTime() - now.getTime()) / 86_400_000) * 10) / 10;
}
