/**
 * The weak-suite probe, for a server that no handshake of Node's could agree with: a TLS 1.2
 * ClientHello (lib/tls/raw-hello.ts) that offers only the suites Node 20's OpenSSL no longer has
 * (RC4, 3DES, single DES, EXPORT) and the anonymous ones, read up to the server's certificates.
 * It observes; the weak-cipher check judges.
 */
import type { ConnectError } from './connect-error';
import { sendHello, type ServerChoice } from './raw-hello';
import type { ProbeTarget } from './resume';

export type WeakSuiteObservation = ServerChoice;

/** The suites offered, by their IANA names (RFC 5246, 4492, 8422 and the registry). */
export const WEAK_SUITES: ReadonlyMap<number, string> = new Map([
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA'],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA'],
  [0xc017, 'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA'],
  [0xc016, 'TLS_ECDH_anon_WITH_RC4_128_SHA'],
  [0xc015, 'TLS_ECDH_anon_WITH_NULL_SHA'],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256'],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384'],
  [0x006c, 'TLS_DH_anon_WITH_AES_128_CBC_SHA256'],
  [0x006d, 'TLS_DH_anon_WITH_AES_256_CBC_SHA256'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA'],
  [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5'],
  [0x001a, 'TLS_DH_anon_WITH_DES_CBC_SHA'],
  [0x0019, 'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5'],
]);

/**
 * Whether the first handshake's failure may be a server that shares no suite with Node: it
 * answered with a handshake_failure or insufficient_security alert, or hung up during the
 * handshake. Not for a failure before TLS (a STARTTLS dialogue) or a server that speaks no TLS.
 */
export function mayWantWeakSuites(err: ConnectError): boolean {
  if (err.code !== 'HANDSHAKE_FAILED') return false;
  const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (cause === undefined) return err.message === 'TLS handshake failed: the server closed the connection';
  return cause === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' || cause === 'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY' || cause === 'ECONNRESET';
}

/**
 * Offers the weak suites and reads the answer, through the target's dialer and within its
 * timeout. Null when the server chose none of them or the probe failed: the first handshake's
 * failure then stands. Never rejects; never leaves a socket open.
 */
export async function probeWeakSuites(target: ProbeTarget): Promise<WeakSuiteObservation | null> {
  const answer = await sendHello(target, 0x0303, WEAK_SUITES, false);
  return answer.seen;
}
