/**
 * What a certificate says about its revocation and its issuer: OCSP responders, CRLs, where the
 * issuer's certificate is, whether it demands a staple, its serial. Read once per certificate
 * (by fingerprint; fleets share intermediates) from Node's X509Certificate and the DER.
 */
import type { X509Certificate } from 'node:crypto';
import { certificateParts, children, readTlv, readUnsigned } from '../der';
import { serialHex } from './answer';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const STATUS_REQUEST = 5;
/**
 * Fleets share a handful of CAs; a leaf is asked about only during its own check. An entry is
 * about 0.6 KB: 10,000 of them held 6 MB of leaves no later target asks about.
 */
const MAX_CACHED = 1_000;

export interface RevocationFacts {
  /** Lower-case hex, no leading zero byte. */
  serial: string;
  ocspUrls: string[];
  crlUrls: string[];
  caIssuersUrls: string[];
  /** The TLS feature extension (RFC 7633) asks for status_request: OCSP must-staple. */
  mustStaple: boolean;
}

const cache = new Map<string, RevocationFacts>();

function infoAccess(cert: X509Certificate, method: string): string[] {
  return (cert.infoAccess ?? '')
    .split('\n')
    .map((line) => line.match(new RegExp(`^${method} - URI:(.+)$`))?.[1])
    .filter((url): url is string => url !== undefined);
}

/**
 * The URIs of the CRL distribution points: SEQUENCE OF DistributionPoint { [0] distributionPoint
 * { [0] fullName GeneralNames } }, a URI being GeneralName [6] IA5String.
 */
function distributionPoints(value: Uint8Array | undefined): string[] {
  if (!value) return [];
  const urls: string[] = [];
  for (const point of children(value, readTlv(value, 0))) {
    const name = children(value, point).find((field) => field.tag === 0xa0);
    const fullName = name && children(value, name).find((field) => field.tag === 0xa0);
    for (const general of fullName ? children(value, fullName) : []) {
      if (general.tag === 0x86) urls.push(Buffer.from(value.subarray(general.start, general.end)).toString('latin1'));
    }
  }
  return urls;
}

/** A malformed extension (the checked server chose the certificate) reads as absent, not as a crash. */
function orNothing<T>(read: () => T, nothing: T): T {
  try {
    return read();
  } catch {
    return nothing;
  }
}

function asksForStaple(value: Uint8Array | undefined): boolean {
  if (!value) return false;
  return children(value, readTlv(value, 0)).some((feature) => feature.tag === 0x02 && readUnsigned(value, feature) === STATUS_REQUEST);
}

export function revocationFacts(cert: X509Certificate): RevocationFacts {
  const key = cert.fingerprint256;
  let facts = cache.get(key);
  if (!facts) {
    const parts = certificateParts(cert.raw);
    facts = {
      serial: serialHex(parts.serial),
      ocspUrls: infoAccess(cert, 'OCSP'),
      crlUrls: orNothing(() => distributionPoints(parts.extensions.get(CRL_DISTRIBUTION_POINTS)), []),
      caIssuersUrls: infoAccess(cert, 'CA Issuers'),
      mustStaple: orNothing(() => asksForStaple(parts.extensions.get(TLS_FEATURE)), false),
    };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, facts);
  }
  return facts;
}
