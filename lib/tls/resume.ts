/**
 * The session-resumption probes: TLS 1.2 session IDs, TLS 1.2 session tickets and TLS 1.3
 * PSK tickets, each tried several times. They observe; the resumption check judges.
 */
import type { SecureVersion } from 'node:tls';
import { ConnectError, handshake, type Handshake, type HandshakeOptions } from './connect';
import { readSession } from './session';
import type { Dialer } from './starttls';

/** What one probe saw. `not-offered`: the server gave nothing to resume with. */
export interface ProbeResult {
  state: 'tried' | 'not-offered' | 'not-applicable' | 'error';
  tried: number;
  resumed: number;
  detail?: string;
  /** The lifetime hint of the ticket the probe started from, in seconds. */
  lifetimeHintSeconds?: number | null;
  /** The version the probe's first handshake (TLS 1.2 at most) negotiated, when it completed. */
  protocol?: string;
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
  /** The target's dialer: every probe's connection runs the same preamble as the first one. */
  dial?: Dialer;
  servername?: string;
  timeoutMs: number;
  /** How long to wait for a TLS 1.3 ticket after a handshake. */
  sessionWaitMs: number;
}

const TLS12_AND_BELOW: SecureVersion = 'TLSv1.2';

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Repeated {
  result: ProbeResult;
  /** A TLS 1.2 handshake among the attempts that brought a session with a ticket. */
  ticketBearing: Handshake | null;
}

/**
 * Offers the first handshake's session `attempts` times, side by side: a session ID or an
 * RFC 5077 ticket may be offered again, and in parallel the attempts cost one round trip
 * instead of several. With `wantTicket`, also keeps a session that came with a ticket during
 * the attempts (for the ticket probe to start from).
 */
async function resumeRepeatedly(base: HandshakeOptions, first: Handshake, attempts: number, wantTicket = false): Promise<Repeated> {
  const session = first.session;
  if (!session) return { result: { state: 'error', tried: 0, resumed: 0, detail: 'no session to offer' }, ticketBearing: null };
  const outcomes = await Promise.allSettled(
    Array.from({ length: attempts }, () => handshake({ ...base, session, sessionWaitMs: wantTicket ? base.sessionWaitMs : 0 })),
  );
  const done = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const resumed = done.filter((h) => h.resumed).length;
  const ticketBearing = done.find((h) => h.hasTicket && h.session !== null && h.protocol !== 'TLSv1.3') ?? null;
  const failed = outcomes.findIndex((o) => o.status === 'rejected');
  if (failed >= 0) {
    const reason = (outcomes[failed] as PromiseRejectedResult).reason;
    return { result: { state: 'error', tried: done.length, resumed, detail: `attempt ${failed + 1}: ${describe(reason)}` }, ticketBearing };
  }
  return { result: { state: 'tried', tried: attempts, resumed }, ticketBearing };
}

/**
 * A TLS 1.2 handshake to start a probe from; `null` when the server speaks no TLS 1.2 or older,
 * which only TLS itself can say (an alert such as protocol_version, an answer OpenSSL refuses).
 * A reset, a close or a STARTTLS dialogue gone wrong says nothing of the versions: the probe's
 * error, not "no TLS 1.2".
 */
async function tls12Start(opts: HandshakeOptions): Promise<Handshake | null> {
  try {
    return await handshake(opts);
  } catch (err) {
    if (err instanceof ConnectError && err.code === 'HANDSHAKE_FAILED' && saidByTls(err)) return null;
    throw err;
  }
}

/** Whether a failed handshake was TLS's own refusal (OpenSSL's `ERR_SSL_…` codes), not the connection's. */
function saidByTls(err: ConnectError): boolean {
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_SSL_');
}

const NO_TLS12: ProbeResult = { state: 'not-applicable', tried: 0, resumed: 0, detail: 'the server speaks no TLS 1.2' };

/**
 * The session-ID probe. Its first handshake asks for no ticket, so the session carries only
 * the server's session ID; the resumptions then allow tickets (the ID still decides whether
 * they resume), so that one of them brings the ticket the ticket probe can start from,
 * saving that probe a full handshake of its own.
 */
async function probeSessionId(target: ProbeTarget, attempts: number): Promise<Repeated & { spoken: boolean }> {
  const base: HandshakeOptions = { ...target, maxVersion: TLS12_AND_BELOW, sessionWaitMs: target.sessionWaitMs };
  let start: Handshake | null;
  try {
    start = await tls12Start({ ...base, noTicket: true });
  } catch (err) {
    return { result: { state: 'error', tried: 0, resumed: 0, detail: describe(err) }, ticketBearing: null, spoken: true };
  }
  if (!start) return { result: NO_TLS12, ticketBearing: null, spoken: false };
  const repeated = await resumeSessionId(base, start, attempts);
  return { ...repeated, result: { ...repeated.result, protocol: start.protocol }, spoken: true };
}

/** The session-ID attempts from a completed TLS 1.2 (or older) handshake. */
async function resumeSessionId(base: HandshakeOptions, start: Handshake, attempts: number): Promise<Repeated> {
  if (!start.session) {
    return { result: { state: 'error', tried: 0, resumed: 0, detail: start.sessionProblem ?? 'no session' }, ticketBearing: null };
  }
  let idLength: number;
  try {
    idLength = readSession(start.session).sessionIdLength;
  } catch (err) {
    // An unreadable session costs this probe only, never the certificate findings.
    return { result: { state: 'error', tried: 0, resumed: 0, detail: `the session cannot be read: ${describe(err)}` }, ticketBearing: null };
  }
  if (idLength === 0) {
    return { result: { state: 'not-offered', tried: 0, resumed: 0, detail: 'the server sent no session ID' }, ticketBearing: null };
  }
  return resumeRepeatedly({ ...base, maxVersion: start.protocol as SecureVersion }, start, attempts, true);
}

/** The ticket probe, from the first handshake when it was TLS 1.2, else from `start` or a new one. */
async function probeTicket(target: ProbeTarget, start: Handshake | null, attempts: number): Promise<ProbeResult> {
  const base: HandshakeOptions = { ...target, maxVersion: TLS12_AND_BELOW, sessionWaitMs: target.sessionWaitMs };
  if (!start) {
    try {
      start = await tls12Start(base);
    } catch (err) {
      return { state: 'error', tried: 0, resumed: 0, detail: describe(err) };
    }
  }
  if (!start) return NO_TLS12;
  if (!start.hasTicket) return { state: 'not-offered', tried: 0, resumed: 0, detail: 'the server sent no session ticket' };
  if (!start.session) return { state: 'error', tried: 0, resumed: 0, detail: start.sessionProblem ?? 'no session' };
  const { result } = await resumeRepeatedly({ ...base, maxVersion: start.protocol as SecureVersion }, start, attempts);
  return { ...result, lifetimeHintSeconds: lifetimeHint(start.session) };
}

/**
 * TLS 1.3 attempts offer a ticket not offered before whenever there is one: servers with
 * stateful tickets may accept each only once, as RFC 8446 recommends. The first handshake
 * usually brings two, so attempts go in rounds, as many side by side as there are unused
 * tickets; a round that leaves attempts to make waits briefly for the new ticket each
 * resumption may bring, and without one the last ticket is offered again.
 */
async function resumeTls13(base: HandshakeOptions, first: Handshake, attempts: number): Promise<ProbeResult> {
  const unused = [...first.sessions];
  let last = unused[0];
  let tried = 0;
  let resumed = 0;
  while (tried < attempts) {
    const round = unused.splice(0, attempts - tried);
    if (round.length === 0) round.push(last);
    last = round[round.length - 1];
    const more = tried + round.length < attempts;
    const outcomes = await Promise.allSettled(
      round.map((session) => handshake({ ...base, session, sessionWaitMs: more ? base.sessionWaitMs : 0, briefSessionWait: true })),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') {
        return { state: 'error', tried, resumed, detail: `attempt ${tried + i + 1}: ${describe(outcome.reason)}` };
      }
      if (outcome.value.resumed) resumed += 1;
      unused.push(...outcome.value.sessions);
    }
    tried += round.length;
  }
  return { state: 'tried', tried, resumed };
}

async function probeTls13(target: ProbeTarget, first: Handshake, attempts: number): Promise<ProbeResult> {
  if (first.protocol !== 'TLSv1.3') {
    return { state: 'not-applicable', tried: 0, resumed: 0, detail: 'the server speaks no TLS 1.3' };
  }
  if (!first.session) {
    // A ticket that arrived but could not be taken is an error, and so is a connection that
    // failed before one could come; no ticket at all is an answer.
    return first.hasTicket || first.failedAfterHandshake !== null
      ? { state: 'error', tried: 0, resumed: 0, detail: first.sessionProblem ?? 'the session could not be read' }
      : { state: 'not-offered', tried: 0, resumed: 0, detail: first.sessionProblem ?? 'no TLS 1.3 ticket' };
  }
  const result = await resumeTls13({ ...target, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, first, attempts);
  return { ...result, lifetimeHintSeconds: lifetimeHint(first.session) };
}

/** The TLS 1.2 probes' verdicts: [session IDs, tickets]. */
export type Tls12Probes = Promise<[ProbeResult, ProbeResult]>;

/** Session IDs, then tickets from what the session-ID probe brought. */
async function probeTls12Alone(target: ProbeTarget, attempts: number): Promise<[ProbeResult, ProbeResult]> {
  const sessionId = await probeSessionId(target, attempts);
  if (!sessionId.spoken) return [sessionId.result, NO_TLS12];
  return [sessionId.result, await probeTicket(target, sessionId.ticketBearing, attempts)];
}

/**
 * The TLS 1.2 probes for a server whose first handshake was TLS 1.3. They need nothing from
 * that handshake, so the check starts them the moment it is secure, while it still waits for
 * its TLS 1.3 tickets. Never rejects.
 */
export function startTls12Probes(target: ProbeTarget, attempts: number): Tls12Probes {
  return probeTls12Alone(target, attempts).catch((err: unknown) => {
    const failed: ProbeResult = { state: 'error', tried: 0, resumed: 0, detail: describe(err) };
    return [failed, failed];
  });
}

/** The TLS 1.2 probes when the first handshake was TLS 1.2 or older: it starts the ticket probe. */
async function probeTls12From(target: ProbeTarget, first: Handshake, attempts: number): Promise<[ProbeResult, ProbeResult]> {
  const [sessionId, ticket] = await Promise.all([probeSessionId(target, attempts), probeTicket(target, first, attempts)]);
  return [sessionId.result, ticket];
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

/** The observation when the probes could not run or finish: every verdict an error, with why. */
export function probesFailed(detail: string): ResumptionObservation {
  const result: ProbeResult = { state: 'error', tried: 0, resumed: 0, detail };
  return { sessionId: result, ticket: result, tls13: result, ticketLifetimeHintSeconds: null };
}

/** The observation when the probes missed their deadline. */
export function probesTimedOut(ms: number): ResumptionObservation {
  return probesFailed(`the probes did not finish within ${ms} ms`);
}

/**
 * Runs the TLS 1.2 and TLS 1.3 probes side by side. `first` is the check's own handshake (TLS
 * 1.3 when the server speaks it, with its sessions), reused as the start of the matching probe;
 * `tls12` the TLS 1.2 probes, when the check already started them (see startTls12Probes).
 */
export async function probeResumption(target: ProbeTarget, first: Handshake, attempts: number, tls12?: Tls12Probes): Promise<ResumptionObservation> {
  const tls12Probes = first.protocol === 'TLSv1.3' ? (tls12 ?? startTls12Probes(target, attempts)) : probeTls12From(target, first, attempts);
  const [[sessionId, ticket], tls13] = await Promise.all([tls12Probes, probeTls13(target, first, attempts)]);
  return {
    sessionId,
    ticket,
    tls13,
    ticketLifetimeHintSeconds: ticket.lifetimeHintSeconds ?? tls13.lifetimeHintSeconds ?? null,
  };
}
