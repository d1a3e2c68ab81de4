/**
 * A missing intermediate, fetched from the caIssuers URL of the certificate that needs it (AIA),
 * for diagnosis only: the INCOMPLETE_CHAIN finding stays, and its message can say that clients
 * which fetch by AIA will connect and the others will not. DER, PEM or PKCS#7 (certs-only).
 */
import { X509Certificate } from 'node:crypto';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ExpiringCache } from './cache';
import { revocationFacts } from './cert-urls';
import type { Fetch, FetchOptions } from './http-fetch';

const MAX_ISSUER_BYTES = 256 * 1024;
const KEEP_MS = 6 * 3600_000;
const issuers = new ExpiringCache<X509Certificate[]>();

function certificatesIn(body: Buffer): X509Certificate[] {
  try {
    return [new X509Certificate(body)];
  } catch {
    // Not one certificate: a PKCS#7 bundle, as some CAs publish.
  }
  const info = AsnConvert.parse(body, ContentInfo);
  const signed = AsnConvert.parse(info.content, SignedData);
  return (signed.certificates ?? [])
    .filter((choice) => choice.certificate)
    .map((choice) => new X509Certificate(Buffer.from(AsnConvert.serialize(choice.certificate))));
}

/** The certificates at `cert`'s caIssuers URLs (the first URL that answers); [] when none does. */
export async function fetchIssuers(cert: X509Certificate, fetch: Fetch, opts: Omit<FetchOptions, 'maxBytes'>): Promise<X509Certificate[]> {
  for (const url of revocationFacts(cert).caIssuersUrls) {
    try {
      return await issuers.get(url, Date.now(), async () => ({
        value: certificatesIn(await fetch(url, { ...opts, maxBytes: MAX_ISSUER_BYTES })),
        expiresAt: Date.now() + KEEP_MS,
      }));
    } catch {
      // The next URL, if any; a diagnosis that cannot be made is no finding.
    }
  }
  return [];
}
