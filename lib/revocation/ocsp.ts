/**
 * OCSP (RFC 6960): the request for one certificate, and the verification of a response before
 * it counts — signed by the issuer or by a responder certificate the issuer signed for
 * id-kp-OCSPSigning, about this very certificate (issuer name and key hashes, serial), and
 * fresh (thisUpdate not in the future, nextUpdate not past, with a few minutes of skew).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { certificateParts } from '../der';
import { assertCurrent, hex, InvalidResponseError, reasonName, serialHex } from './answer';
import { signatureHash } from './signature';

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface OcspAnswer {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt: string | null;
  reason: string | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

/** The OCSP request (DER) for `cert`, issued by `issuer`; SHA-1 CertID as responders expect. */
export function ocspRequest(cert: X509Certificate, issuer: X509Certificate): Uint8Array {
  const certParts = certificateParts(cert.raw);
  const issuerParts = certificateParts(issuer.raw);
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: new OctetString(createHash('sha1').update(issuerParts.subject).digest()),
    issuerKeyHash: new OctetString(createHash('sha1').update(issuerParts.publicKeyBits).digest()),
    serialNumber: Uint8Array.from(certParts.serial).buffer,
  });
  const body = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return new Uint8Array(AsnConvert.serialize(body));
}

function signedBy(basic: BasicOCSPResponse, signer: X509Certificate): boolean {
  const hash = signatureHash(basic.signatureAlgorithm.algorithm);
  if (hash === undefined || !basic.tbsResponseDataRaw) return false;
  try {
    return verify(hash, Buffer.from(basic.tbsResponseDataRaw), signer.publicKey, Buffer.from(basic.signature));
  } catch {
    return false;
  }
}

/** The issuer itself, or a delegated responder certificate the issuer signed for OCSP signing. */
function signerOf(basic: BasicOCSPResponse, issuer: X509Certificate): string | null {
  if (signedBy(basic, issuer)) return null;
  for (const included of basic.certs ?? []) {
    const responder = new X509Certificate(Buffer.from(AsnConvert.serialize(included)));
    if (!signedBy(basic, responder)) continue;
    if (!responder.checkIssued(issuer) || !responder.verify(issuer.publicKey)) return `the responder certificate "${(responder.subject ?? '').replace(/\n/g, ', ')}" was not issued by the certificate's issuer`;
    if (!(responder.keyUsage ?? []).includes(id_kp_OCSPSigning)) return `the responder certificate "${(responder.subject ?? '').replace(/\n/g, ', ')}" is not for OCSP signing`;
    return null;
  }
  return 'the signature is neither the issuer\'s nor a delegated responder\'s';
}

/**
 * Parses and verifies an OCSP response (DER) about `cert`, issued by `issuer`, at `now`.
 * Throws InvalidResponseError for anything that must not count.
 */
export function verifyOcspResponse(der: Uint8Array, cert: X509Certificate, issuer: X509Certificate, now: Date): OcspAnswer {
  let basic: BasicOCSPResponse;
  try {
    const response = AsnConvert.parse(der, OCSPResponse);
    if (response.responseStatus !== OCSPResponseStatus.successful) {
      throw new InvalidResponseError(`the responder answered "${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}"`);
    }
    if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) throw new InvalidResponseError('the response is not a basic OCSP response');
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
  } catch (err) {
    if (err instanceof InvalidResponseError) throw err;
    throw new InvalidResponseError(`the response is not valid OCSP (${(err as Error).message})`);
  }
  const signer = signerOf(basic, issuer);
  if (signer) throw new InvalidResponseError(signer);

  const certParts = certificateParts(cert.raw);
  const issuerParts = certificateParts(issuer.raw);
  const serial = serialHex(certParts.serial);
  const single = basic.tbsResponseData.responses.find((r) => {
    const hash = HASHES[r.certID.hashAlgorithm.algorithm];
    if (!hash || serialHex(r.certID.serialNumber) !== serial) return false;
    return (
      hex(r.certID.issuerNameHash.buffer) === createHash(hash).update(issuerParts.subject).digest('hex') &&
      hex(r.certID.issuerKeyHash.buffer) === createHash(hash).update(issuerParts.publicKeyBits).digest('hex')
    );
  });
  if (!single) throw new InvalidResponseError(`the response is not about this certificate (serial ${serial})`);
  assertCurrent('the response', single.thisUpdate, single.nextUpdate ?? null, now);
  const { certStatus } = single;
  const revoked = certStatus.revoked;
  return {
    status: revoked ? 'revoked' : certStatus.good !== undefined ? 'good' : 'unknown',
    revokedAt: revoked ? revoked.revocationTime.toISOString() : null,
    reason: revoked ? reasonName(revoked.revocationReason?.reason) : null,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate ?? null,
  };
}
