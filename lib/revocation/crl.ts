/**
 * CRLs (RFC 5280 §5): parsed once per download, verified against the issuer before they count.
 * CRLs run to tens of megabytes and hundreds of thousands of entries, so the revoked list is
 * indexed by serial with the shared DER reader (no object per entry); an entry's date and
 * reason are read only for the serial asked about.
 */
import { verify, type X509Certificate } from 'node:crypto';
import { certificateParts, children, readOid, readTime, readTlv, readUnsigned, type Tlv } from '../der';
import { assertCurrent, InvalidResponseError, reasonName, serialHex } from './answer';
import { signatureHash } from './signature';

export interface Crl {
  der: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial (hex) → the revoked entry's offset in `der`. */
  revoked: Map<string, number>;
  tbs: Uint8Array;
  signatureOid: string;
  signature: Uint8Array;
  /** Fingerprints of the issuers whose key verified the signature (a cached CRL is verified once). */
  verifiedBy: Set<string>;
}

const TIME_TAGS = new Set([0x17, 0x18]);
const REASON_CODE = '2.5.29.21';

/** Reads a DER CRL; throws InvalidResponseError when it is not one. */
export function parseCrl(der: Uint8Array): Crl {
  try {
    const [tbs, algorithm, signature] = children(der, readTlv(der, 0));
    const fields = children(der, tbs);
    let i = fields[0].tag === 0x02 ? 1 : 0;
    i += 1; // the signature algorithm, repeated inside
    const issuer = fields[i++];
    const thisUpdate = readTime(der, fields[i++]);
    const nextUpdate = fields[i] && TIME_TAGS.has(fields[i].tag) ? readTime(der, fields[i++]) : null;
    const revoked = new Map<string, number>();
    if (fields[i] && fields[i].tag === 0x30) {
      for (const entry of children(der, fields[i])) {
        const serial = readTlv(der, entry.start);
        revoked.set(serialHex(der.subarray(serial.start, serial.end)), entry.offset);
      }
    }
    return {
      der,
      issuer: der.subarray(issuer.offset, issuer.end),
      thisUpdate,
      nextUpdate,
      revoked,
      tbs: der.subarray(tbs.offset, tbs.end),
      signatureOid: readOid(der, readTlv(der, algorithm.start)),
      signature: der.subarray(signature.start + 1, signature.end),
      verifiedBy: new Set(),
    };
  } catch (err) {
    throw new InvalidResponseError(`not a DER CRL (${(err as Error).message})`);
  }
}

/** Throws InvalidResponseError unless `issuer` signed the CRL and it is current at `now`. */
export function verifyCrl(crl: Crl, issuer: X509Certificate, now: Date): void {
  if (!crl.verifiedBy.has(issuer.fingerprint256)) {
    verifyCrlSignature(crl, issuer);
    crl.verifiedBy.add(issuer.fingerprint256);
  }
  assertCurrent('the CRL', crl.thisUpdate, crl.nextUpdate, now);
}

function verifyCrlSignature(crl: Crl, issuer: X509Certificate): void {
  if (!Buffer.from(crl.issuer).equals(Buffer.from(certificateParts(issuer.raw).subject))) throw new InvalidResponseError('the CRL is not from the certificate\'s issuer');
  const hash = signatureHash(crl.signatureOid);
  let ok: boolean;
  try {
    ok = hash !== undefined && verify(hash, crl.tbs, issuer.publicKey, crl.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidResponseError('the CRL\'s signature does not verify with the issuer\'s key');
}

/** The revocation entry of a serial in the CRL, or null when it is not listed. */
export function crlEntry(crl: Crl, serial: string): { revokedAt: string; reason: string | null } | null {
  const offset = crl.revoked.get(serial);
  if (offset === undefined) return null;
  const [, date, extensions] = children(crl.der, readTlv(crl.der, offset));
  let reason: string | null = null;
  if (extensions) {
    for (const extension of children(crl.der, extensions)) {
      const parts: Tlv[] = children(crl.der, extension);
      if (readOid(crl.der, parts[0]) !== REASON_CODE) continue;
      const value = parts[parts.length - 1];
      reason = reasonName(readUnsigned(crl.der, readTlv(crl.der, value.start)));
    }
  }
  return { revokedAt: readTime(crl.der, date).toISOString(), reason };
}
