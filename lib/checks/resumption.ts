/** Verdicts of the resumption probes, NO_RESUMPTION and LONG_TICKET_LIFETIME. */
import type { Finding, ResumptionKind, ResumptionReport, ResumptionVerdict } from '../report';
import type { ProbeResult } from '../tls/resume';
import type { Check, CheckInput } from './types';

const LONG_LIFETIME_SECONDS = 24 * 3600;
const KINDS: ResumptionKind[] = ['sessionId', 'ticket', 'tls13'];
const LABELS: Record<ResumptionKind, string> = { sessionId: 'session IDs', ticket: 'session tickets', tls13: 'TLS 1.3 tickets' };

/** The contract's verdict for one probe. */
export function verdictOf(probe: ProbeResult): ResumptionVerdict {
  switch (probe.state) {
    case 'not-applicable':
      return 'not-applicable';
    case 'error':
      return 'error';
    case 'not-offered':
      return 'unsupported';
    case 'tried':
      if (probe.tried > 0 && probe.resumed === probe.tried) return 'supported';
      return probe.resumed === 0 ? 'unsupported' : 'partial';
  }
}

/** The report's `resumption` object; every verdict `skipped` when the probes did not run. */
export function resumptionReport(input: Pick<CheckInput, 'resumption'>): ResumptionReport {
  const r = input.resumption;
  if (!r) {
    return {
      sessionId: 'skipped',
      ticket: 'skipped',
      tls13: 'skipped',
      ticketLifetimeHintSeconds: null,
      attempts: { sessionId: [0, 0], ticket: [0, 0], tls13: [0, 0] },
    };
  }
  const errors: Partial<Record<ResumptionKind, string>> = {};
  for (const kind of KINDS) if (r[kind].state === 'error') errors[kind] = r[kind].detail ?? 'unknown error';
  return {
    sessionId: verdictOf(r.sessionId),
    ticket: verdictOf(r.ticket),
    tls13: verdictOf(r.tls13),
    ticketLifetimeHintSeconds: r.ticketLifetimeHintSeconds,
    attempts: {
      sessionId: [r.sessionId.tried, r.sessionId.resumed],
      ticket: [r.ticket.tried, r.ticket.resumed],
      tls13: [r.tls13.tried, r.tls13.resumed],
    },
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
  };
}

export const checkResumption: Check = (input): Finding[] => {
  const r = input.resumption;
  if (!r) return [];
  const verdicts = KINDS.map((kind) => verdictOf(r[kind]));
  const findings: Finding[] = [];
  // Only a clear "no": an error or a skipped probe could hide a working mechanism.
  if (verdicts.includes('unsupported') && verdicts.every((v) => v === 'unsupported' || v === 'not-applicable')) {
    const parts = KINDS.map((kind, i) => `${LABELS[kind]} ${verdicts[i]}`).join(', ');
    findings.push({ code: 'NO_RESUMPTION', severity: 'warning', message: `the server resumes no session (${parts})` });
  }
  const hint = r.ticketLifetimeHintSeconds;
  if (hint !== null && hint > LONG_LIFETIME_SECONDS) {
    findings.push({
      code: 'LONG_TICKET_LIFETIME',
      severity: 'info',
      message: `the ticket lifetime hint is ${hint} s (${(hint / 3600).toFixed(1)} hours), over 24 hours: ticket keys should rotate daily`,
    });
  }
  return findings;
};
