/**
 * The legacy-version probe: one handshake that offers TLS 1.0 and 1.1 only, through the same
 * dialer, address, SNI and timeout as the check's own. It observes; the legacy-protocol check
 * judges.
 */
import { ConnectError, handshake } from './connect';
import type { ProbeTarget } from './resume';

/**
 * What the probe saw. `accepted`: the handshake completed, in `protocol` (TLSv1 or TLSv1.1);
 * `refused`: the server answered and refused it (protocol_version or handshake_failure alert, a
 * reset or a close during the handshake); `unknown`: the probe could not tell (no connection,
 * time-out, a refused STARTTLS preamble), with why in `detail`.
 */
export type LegacyVersionProbe =
  | { outcome: 'accepted'; protocol: 'TLSv1' | 'TLSv1.1' }
  | { outcome: 'refused'; detail: string }
  | { outcome: 'unknown'; detail: string };

/** Offers TLS 1.0 and 1.1 only (the client context's ciphers carry @SECLEVEL=0, which OpenSSL 3 needs for them). Never rejects. */
export async function probeLegacyVersions(target: ProbeTarget): Promise<LegacyVersionProbe> {
  try {
    const done = await handshake({ ...target, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', sessionWaitMs: 0 });
    if (done.protocol === 'TLSv1' || done.protocol === 'TLSv1.1') return { outcome: 'accepted', protocol: done.protocol };
    return { outcome: 'unknown', detail: `the server answered in ${done.protocol}` };
  } catch (err) {
    if (err instanceof ConnectError && err.code === 'HANDSHAKE_FAILED') return { outcome: 'refused', detail: err.message };
    return { outcome: 'unknown', detail: err instanceof Error ? err.message : String(err) };
  }
}
