/** What every check receives: observed facts, already parsed, and the context to judge them in. */
import type { Finding } from '../report';
import type { RevocationObservation } from '../revocation/look-up';
import type { ResumptionObservation } from '../tls/resume';
import type { UpgradeObservation } from '../tls/websocket-upgrade';
import type { LegacyVersionProbe } from '../tls/version-probe';
import type { CertInfo } from '../x509/cert-info';
import type { ChainAnalysis } from '../x509/validate';
import type { ConnectFailure } from '../tls/connect';

export interface CheckContext {
  now: Date;
  warnDays: number;
  criticalDays: number;
  /** Where trust came from, for messages ("the Mozilla roots bundled with Node"). */
  trustSource: string;
}

export interface CheckInput {
  /** The name the certificate must cover: the host name, or the IP for an IP target; null: none asked (--chain-file without --name). */
  expectedName: string | null;
  expectedNameIsIp: boolean;
  /** Why no certificate could be had; null when the handshake completed. */
  failure: { code: ConnectFailure | 'DNS_FAILED' | 'CHECK_FAILED' | 'BLOCKED_ADDRESS'; message: string } | null;
  leaf: CertInfo | null;
  presented: CertInfo[];
  chain: ChainAnalysis | null;
  /** Facts about each certificate of `chain.path`. */
  path: CertInfo[];
  /** Null when the probes were skipped. */
  resumption: ResumptionObservation | null;
  /** Null when there was no certificate to look up. */
  revocation: RevocationObservation | null;
  /** The issuer fetched by AIA when the path could not be built, and whether it completes it. */
  aiaIssuer: { subject: string; completes: boolean } | null;
  /**
   * The WebSocket upgrade of a wss target; `skipped` when it was not tried (--no-upgrade); absent
   * or null for other targets and when no handshake completed.
   */
  websocket?: UpgradeObservation | 'skipped' | null;
  /**
   * The protocol and cipher the check's own handshake negotiated (it offers TLS 1.0 to 1.3);
   * `incomplete`: read from the server's hello by the weak-suite probe (TLS 1.2 at most), as no
   * handshake could be completed. Absent or null when no server chose a suite.
   */
  negotiated?: { protocol: string; cipher: string; incomplete?: boolean } | null;
  /** The probe that offers TLS 1.0 and 1.1 only; absent or null when it did not run. */
  legacyVersions?: LegacyVersionProbe | null;
  /**
   * Whether the private key given with the certificates (--key-file, compared where it was read)
   * belongs to the leaf, and which file it came from; absent or null when no key was given.
   */
  keyMatch?: { matches: boolean; source: string } | null;
}

/** A check: data in, findings out; it never throws for a finding and opens no socket. */
export type Check = (input: CheckInput, ctx: CheckContext) => Finding[];

/** The intermediates on the path: neither the leaf nor the root it ends at. */
export function pathIntermediates(input: CheckInput): CertInfo[] {
  if (!input.chain) return [];
  const endsAtRoot = input.chain.end === 'trusted' || input.chain.end === 'invalid' || input.chain.end === 'untrusted-root';
  return input.path.slice(1, endsAtRoot ? -1 : undefined);
}

/** ISO date without time, for messages. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "1 day", "12 days". */
export function days(n: number): string {
  const whole = Math.floor(Math.abs(n));
  return `${whole} day${whole === 1 ? '' : 's'}`;
}
