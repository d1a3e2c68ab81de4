/** Where a certificate says its revocation status and its issuer can be found, and whether it demands a staple. */
import type { X509Certificate } from 'node:crypto';
import { certificateParts, children, readTlv, readUnsigned } from '../der';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const STATUS_REQUEST = 5;

function infoAccess(cert: X509Certificate, method: string): string[] {
  return (cert.infoAccess ?? '')
    .split('\n')
    .map((line) => line.match(new RegExp(`^${method} - URI:(.+)$`))?.[1])
    .filter((url): url is string => url !== undefined);
}

/** The OCSP responder URLs of the authorityInfoAccess extension. */
export function ocspUrls(cert: X509Certificate): string[] {
  return infoAccess(cert, 'OCSP');
}

/** The caIssuers URLs of the authorityInfoAccess extension (where the issuer's certificate is). */
export function caIssuersUrls(cert: X509Certificate): string[] {
  return infoAccess(cert, 'CA Issuers');
}

/**
 * The URIs of the CRL distribution points: SEQUENCE OF DistributionPoint { [0] distributionPoint
 * { [0] fullName GeneralNames } }, a URI being GeneralName [6] IA5String.
 */
export function crlUrls(cert: X509Certificate): string[] {
  const value = certificateParts(cert.raw).extensions.get(CRL_DISTRIBUTION_POINTS);
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

/** The TLS feature extension (RFC 7633) asks for status_request: OCSP must-staple. */
export function mustStaple(cert: X509Certificate): boolean {
  const value = certificateParts(cert.raw).extensions.get(TLS_FEATURE);
  if (!value) return false;
  return children(value, readTlv(value, 0)).some((feature) => feature.tag === 0x02 && readUnsigned(value, feature) === STATUS_REQUEST);
}
