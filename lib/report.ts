/** The report of ../shared/CONTRACT.md, schemaVersion 1. */
import type { Protocol } from './target';

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';
export type Severity = 'info' | 'warning' | 'critical' | 'unknown';

export type FindingCode =
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'EXPIRES_SOON'
  | 'HOSTNAME_MISMATCH'
  | 'SELF_SIGNED'
  | 'UNTRUSTED_ROOT'
  | 'INCOMPLETE_CHAIN'
  | 'CHAIN_ORDER'
  | 'CHAIN_CERT_EXPIRED'
  /** A path to a trusted anchor exists but breaks an RFC 5280 / Web PKI rule. */
  | 'CHAIN_INVALID'
  /** --key-file does not belong to the leaf. */
  | 'KEY_MISMATCH'
  | 'WEAK_SIGNATURE'
  | 'WEAK_KEY'
  | 'NOT_FOR_SERVER_AUTH'
  | 'REVOKED'
  | 'MUST_STAPLE_MISSING'
  /** The server staples an OCSP response that does not verify (signer, certificate, freshness). */
  | 'STAPLE_INVALID'
  | 'REVOCATION_UNKNOWN'
  | 'NO_RESUMPTION'
  | 'LONG_TICKET_LIFETIME'
  | 'CERT_CHANGED'
  | 'HANDSHAKE_FAILED'
  | 'CONNECTION_FAILED'
  | 'DNS_FAILED'
  | 'TIMEOUT'
  | 'BLOCKED_ADDRESS'
  /** The server refused to start TLS (STARTTLS, STLS, AUTH TLS); the message carries its words. */
  | 'STARTTLS_REFUSED'
  /** A wss target did not answer the WebSocket opening handshake with 101 and the right accept key. */
  | 'WEBSOCKET_UPGRADE_FAILED'
  /** The server accepts TLS 1.0 or 1.1 (RFC 8996 deprecated both). */
  | 'LEGACY_PROTOCOL'
  /** The negotiated cipher is RC4, 3DES, DES, NULL, EXPORT or anonymous. */
  | 'WEAK_CIPHER'
  /** The check itself failed (a bug or an unexpected error); the message says what. */
  | 'CHECK_FAILED';

/** One problem or fact: a stable code, a severity and one sentence for people. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
}

/** A certificate as listed in `chain.presented` and `chain.path`. */
export interface ChainEntry {
  subject: string;
  issuer: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface LeafReport {
  subject: string;
  issuer: string;
  serialNumber: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  daysRemaining: number;
  subjectAltNames: string[];
  keyAlgorithm: string;
  keySize: number | null;
  signatureAlgorithm: string;
}

export type ResumptionVerdict = 'supported' | 'partial' | 'unsupported' | 'not-applicable' | 'error' | 'skipped';
export type ResumptionKind = 'sessionId' | 'ticket' | 'tls13';

export interface ResumptionReport {
  sessionId: ResumptionVerdict;
  ticket: ResumptionVerdict;
  tls13: ResumptionVerdict;
  ticketLifetimeHintSeconds: number | null;
  /** [tried, resumed] per kind. */
  attempts: Record<ResumptionKind, [number, number]>;
  /** Why a probe ended in `error`, per kind; absent when none did. */
  errors?: Partial<Record<ResumptionKind, string>>;
}

export interface RevocationReport {
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  method: 'ocsp-stapled' | 'ocsp' | 'crl' | 'none';
  revokedAt: string | null;
  reason: string | null;
  nextUpdate: string | null;
}

/**
 * The WebSocket upgrade of a wss target: the HTTP status received (null when none came) and the
 * time from the request to the end of the answer's head (null when no request went out); or
 * `{ skipped: true }` when the upgrade was not tried (--no-upgrade).
 */
export type WebSocketReport = { status: number | null; ms: number | null } | { skipped: true };
/** The protocol versions, by the names Node gives them. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsReport {
  protocol: string;
  cipher: string;
  /**
   * Whether the server accepts each version: true, false, or null where no handshake told
   * (a probe that could not tell or did not run). Reports stored before it existed lack it.
   */
  versions?: Record<TlsVersion, boolean | null>;
  /** Why the legacy-version probe could not tell; absent when it could. */
  versionProbeError?: string;
}

export interface Report {
  schemaVersion: 1;
  /** `protocol`: the target's scheme (`https` for a bare host); reports stored before it existed lack it. */
  target: { host: string; port: number; servername: string | null; address: string | null; protocol: Protocol };
  checkedAt: string;
  durationMs: number;
  status: Status;
  tls: TlsReport | null;
  leaf: LeafReport | null;
  chain: { trusted: boolean; presented: ChainEntry[]; path: ChainEntry[] } | null;
  revocation: RevocationReport;
  resumption: ResumptionReport;
  /** wss targets only (absent for others): null when no handshake completed. */
  websocket?: WebSocketReport | null;
  findings: Finding[];
  /** The labels a structured targets file gives the target (absent without any): free text for people. */
  labels?: string[];
}

/** How bad a status is: ok < warning < unknown < critical. */
export const STATUS_RANK: Record<Status, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/** The statuses most urgent first, as every list of the fleet orders them. */
export const STATUSES_BY_URGENCY: readonly Status[] = ['critical', 'unknown', 'warning', 'ok'];

/** The worse of two statuses, ranked ok < warning < unknown < critical. */
export function worseStatus(a: Status, b: Status): Status {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

/** The worst finding severity; `info` counts as ok. */
export function statusOf(findings: readonly Finding[]): Status {
  return findings.reduce<Status>((worst, f) => (f.severity === 'info' ? worst : worseStatus(worst, f.severity)), 'ok');
}

/** The contract's exit code for a status: ok 0, warning 1, critical 2, unknown 3. */
export function exitCodeOf(status: Status): number {
  return { ok: 0, warning: 1, critical: 2, unknown: 3 }[status];
}
