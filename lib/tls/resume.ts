/**
 * The session-resumption probes: TLS 1.2 session IDs, TLS 1.2 session tickets and TLS 1.3
 * PSK tickets, each tried several times. They observe; the resumption check judges.
 */
import type { SecureVersion } from 'node:tls';
import { ConnectError, handshake, type Handshake, type HandshakeOptions } from './connect';
import { readSession } from './session';

/** What one probe saw. `not-offered`: the server gave nothing to resume with. */
export interface ProbeResult {
  state: 'tried' | 'not-offered' | 'not-applicable' | 'error';
  tried: number;
  resumed: number;
  detail?: string;
  /** The lifetime hint of the ticket the probe started from, in seconds. */
  lifetimeHintSeconds?: number | null;
}

export interface ResumptionObservation {
  sessionId: ProbeResult;
  ticket: ProbeResult;
  tls13: ProbeResult;
  ticketLifetimeHintSeconds: number | null;
}

export interface ProbeTarget {
  address: string;
  port: number;
  servername?: string;
  timeoutMs: number;
  /** How long to wait for a TLS 1.3 ticket after a handshake. */
  sessionWaitMs: number;
}

const TLS12_AND_BELOW: SecureVersion = 'TLSv1.2';

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resumes `session` `attempts` times; each attempt offers the newest session the server gave. */
async function resumeRepeatedly(
  base: HandshakeOptions,
  first: Handshake,
  attempts: number,
): Promise<ProbeResult> {
  let session = first.session;
  let resumed = 0;
  for (let i = 0; i < attempts; i++) {
    if (!session) return { state: 'error', tried: i, resumed, detail: 'no session to offer' };
    try {
      // No wait for a fresh session: Node announces none after a TLS 1.3 resumption, and the
      // session offered is still valid for the next attempt.
      const next = await handshake({ ...base, session, sessionWaitMs: 0 });
      if (next.resumed) resumed += 1;
      session = next.session ?? session;
    } catch (err) {
      return { state: 'error', tried: i, resumed, detail: `attempt ${i + 1}: ${describe(err)}` };
    }
  }
  return { state: 'tried', tried: attempts, resumed };
}

/** A TLS 1.2 handshake to start a probe from; `null` when the server speaks no TLS 1.2 or older. */
async function tls12Start(opts: HandshakeOptions): Promise<Handshake | null> {
  try {
    return await handshake(opts);
  } catch (err) {
    if (err instanceof ConnectError && err.code === 'HANDSHAKE_FAILED') return null;
    throw err;
  }
}

async function probeSessionId(target: ProbeTarget, attempts: number): Promise<ProbeResult> {
  const base: HandshakeOptions = { ...target, maxVersion: TLS12_AND_BELOW, noTicket: true, sessionWaitMs: target.sessionWaitMs };
  let start: Handshake | null;
  try {
    start = await tls12Start(base);
  } catch (err) {
    return { state: 'error', tried: 0, resumed: 0, detail: describe(err) };
  }
  if (!start) return { state: 'not-applicable', tried: 0, resumed: 0, detail: 'the server speaks no TLS 1.2' };
  if (!start.session) return { state: 'error', tried: 0, resumed: 0, detail: start.sessionProblem ?? 'no session' };
  if (readSession(start.session).sessionIdLength === 0) {
    return { state: 'not-offered', tried: 0, resumed: 0, detail: 'the server sent no session ID' };
  }
  return resumeRepeatedly({ ...base, maxVersion: start.protocol as SecureVersion }, start, attempts);
}

async function probeTicket(target: ProbeTarget, first: Handshake, attempts: number): Promise<ProbeResult> {
  const base: HandshakeOptions = { ...target, maxVersion: TLS12_AND_BELOW, sessionWaitMs: target.sessionWaitMs };
  let start: Handshake | null = first.protocol === 'TLSv1.3' ? null : first;
  if (!start) {
    try {
      start = await tls12Start(base);
    } catch (err) {
      return { state: 'error', tried: 0, resumed: 0, detail: describe(err) };
    }
  }
  if (!start) return { state: 'not-applicable', tried: 0, resumed: 0, detail: 'the server speaks no TLS 1.2' };
  if (!start.hasTicket) return { state: 'not-offered', tried: 0, resumed: 0, detail: 'the server sent no session ticket' };
  if (!start.session) return { state: 'error', tried: 0, resumed: 0, detail: start.sessionProblem ?? 'no session' };
  const result = await resumeRepeatedly({ ...base, maxVersion: start.protocol as SecureVersion }, start, attempts);
  return { ...result, lifetimeHintSeconds: lifetimeHint(start.session) };
}

async function probeTls13(target: ProbeTarget, first: Handshake, attempts: number): Promise<ProbeResult> {
  if (first.protocol !== 'TLSv1.3') {
    return { state: 'not-applicable', tried: 0, resumed: 0, detail: 'the server speaks no TLS 1.3' };
  }
  if (!first.session) {
    // A ticket that arrived but could not be taken is an error; no ticket at all is an answer.
    return first.hasTicket
      ? { state: 'error', tried: 0, resumed: 0, detail: first.sessionProblem ?? 'the session could not be read' }
      : { state: 'not-offered', tried: 0, resumed: 0, detail: first.sessionProblem ?? 'no TLS 1.3 ticket' };
  }
  const result = await resumeRepeatedly({ ...target, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, first, attempts);
  return { ...result, lifetimeHintSeconds: lifetimeHint(first.session) };
}

function lifetimeHint(session: Buffer): number | null {
  try {
    const hint = readSession(session).ticketLifetimeHintSeconds;
    return hint !== null && hint > 0 ? hint : null;
  } catch {
    // An unreadable session only costs the hint; the probes report their own errors.
    return null;
  }
}

/**
 * Runs the three probes side by side. `first` is the check's own handshake (TLS 1.3 when the
 * server speaks it, with its session), reused as the start of the matching probe.
 */
export async function probeResumption(target: ProbeTarget, first: Handshake, attempts: number): Promise<ResumptionObservation> {
  const [sessionId, ticket, tls13] = await Promise.all([
    probeSessionId(target, attempts),
    probeTicket(target, first, attempts),
    probeTls13(target, first, attempts),
  ]);
  return {
    sessionId,
    ticket,
    tls13,
    ticketLifetimeHintSeconds: ticket.lifetimeHintSeconds ?? tls13.lifetimeHintSeconds ?? null,
  };
}
