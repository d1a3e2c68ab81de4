/**
 * The legacy-version probe: a ClientHello offering TLS 1.1 at most (written by hand, see
 * raw-hello.ts), through the same dialer, address, SNI and timeout as the check's own handshake.
 * The server's ServerHello says which version it accepts; the probe reads no further and
 * completes no handshake, so it costs the checker no TLS socket. It observes; the
 * legacy-protocol check judges.
 */
import { sendHello } from './raw-hello';
import type { ProbeTarget } from './resume';
import { WEAK_SUITES } from './weak-suites';

/**
 * What the probe saw. `accepted`: the server answered with a ServerHello in `protocol` (TLSv1 or
 * TLSv1.1); `refused`: it answered otherwise (a protocol_version or handshake_failure alert, a
 * reset, a close); `unknown`: the probe could not tell (no connection, no answer within the
 * timeout, a refused STARTTLS dialogue), with why in `detail`.
 */
export type LegacyVersionProbe =
  | { outcome: 'accepted'; protocol: 'TLSv1' | 'TLSv1.1' }
  | { outcome: 'refused'; detail: string }
  | { outcome: 'unknown'; detail: string };

/** The suites a TLS 1.0/1.1 server may speak, by IANA name: the CBC suites with SHA-1, and the weak ones. */
const LEGACY_SUITES: ReadonlyMap<number, string> = new Map([
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA'],
  ...WEAK_SUITES,
]);

/** TLS 1.1 as the highest version (legacy_version 0x0302, no supported_versions). Never rejects. */
export async function probeLegacyVersions(target: ProbeTarget): Promise<LegacyVersionProbe> {
  const answer = await sendHello(target, 0x0302, LEGACY_SUITES, true);
  if (answer.outcome === 'failed') return { outcome: 'unknown', detail: answer.detail };
  const protocol = answer.seen?.protocol;
  if (protocol === 'TLSv1' || protocol === 'TLSv1.1') return { outcome: 'accepted', protocol };
  return { outcome: 'refused', detail: protocol ? `the server answered in ${protocol}` : answer.detail };
}
