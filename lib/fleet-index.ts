/**
 * The fleet index (`<prefix>/index.json`): one small entry per target, written after every
 * scheduled run, from which the fleet can be read at a glance (`certcheck summary`) without
 * opening every report. Written as a stream of its entries, so the run's memory stays flat.
 */
import type { HistorySpan } from './history-rollup';
import { SCHEMES, type Protocol } from './target';
import { type Finding, type Report, type ResumptionVerdict, type RevocationReport, type Status, STATUS_RANK, worseStatus } from './report';

/** How long a finding's message may be in the index (the report has it whole). */
export const INDEX_MESSAGE_CHARS = 300;

/** What the index says of one target (one report: per address where addresses are checked one by one). */
export interface IndexEntry {
  /** The report's key under `latest/`. */
  key: string;
  host: string;
  port: number;
  address: string | null;
  /** How TLS is reached, where it is by STARTTLS (`smtp`, `imap`, …); absent for implicit TLS. */
  scheme?: Protocol;
  status: Status;
  /** The leaf's days remaining, or null without a certificate. */
  daysRemaining: number | null;
  notAfter: string | null;
  issuer: string | null;
  /** The codes of the findings that are not info. */
  codes: string[];
  checkedAt: string;
  /** The stored report, relative to the prefix (`reports/…/….json`); null when it could not be stored. */
  report: string | null;
  /* What the status page's detail view shows (absent in indexes written before it existed). */
  /** Every finding, info too, its message cut to INDEX_MESSAGE_CHARS. */
  findings?: Finding[];
  /** The leaf's subject and names. */
  subject?: string | null;
  names?: string[];
  /** The target's labels from a structured targets file (absent without any). */
  labels?: string[];
  /** The negotiated protocol (TLSv1.3), or null without a handshake. */
  protocol?: string | null;
  /** The chain's subjects, as the server presented it and as verified up to the anchor. */
  chain?: { trusted: boolean; presented: string[]; path: string[] } | null;
  resumption?: { sessionId: ResumptionVerdict; ticket: ResumptionVerdict; tls13: ResumptionVerdict };
  revocation?: Pick<RevocationReport, 'status' | 'method'>;
  /** The target's last days as spans (its daily rollup); empty when the rollup could not be kept. */
  history?: HistorySpan[];
}

export interface FleetIndex {
  schemaVersion: 1;
  /** When the index was written, and the run it comes from. */
  generatedAt: string;
  runStartedAt: string;
  targets: IndexEntry[];
}

/** One report as an index entry. */
export function indexEntryOf(report: Report, key: string, stored: string | null, history: HistorySpan[] | null = null): IndexEntry {
  const { host, port, address, protocol } = report.target;
  return {
    key,
    host,
    port,
    address,
    ...(protocol && SCHEMES[protocol]?.starttls ? { scheme: protocol } : {}),
    status: report.status,
    daysRemaining: report.leaf?.daysRemaining ?? null,
    notAfter: report.leaf?.notAfter ?? null,
    issuer: report.leaf?.issuer ?? null,
    codes: report.findings.filter((f) => f.severity !== 'info').map((f) => f.code),
    checkedAt: report.checkedAt,
    report: stored,
    findings: report.findings.map((f) => ({ ...f, message: cut(f.message, INDEX_MESSAGE_CHARS) })),
    subject: report.leaf?.subject ?? null,
    names: report.leaf?.subjectAltNames ?? [],
    protocol: report.tls?.protocol ?? null,
    ...(report.labels?.length ? { labels: report.labels } : {}),
    chain: report.chain && { trusted: report.chain.trusted, presented: report.chain.presented.map((c) => c.subject), path: report.chain.path.map((c) => c.subject) },
    resumption: { sessionId: report.resumption.sessionId, ticket: report.resumption.ticket, tls13: report.resumption.tls13 },
    revocation: { status: report.revocation.status, method: report.revocation.method },
    history: history ?? [],
  };
}

function cut(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

/** What urgency is judged by: an index entry, a run summary's not-ok target. */
type Judged = Pick<IndexEntry, 'key' | 'status' | 'daysRemaining'>;

/** By urgency: critical, unknown, warning, ok; then fewest days left; then by key. */
export function byUrgency(a: Judged, b: Judged): number {
  return (
    STATUS_RANK[b.status] - STATUS_RANK[a.status] ||
    (a.daysRemaining ?? Infinity) - (b.daysRemaining ?? Infinity) ||
    a.key.localeCompare(b.key)
  );
}

/** The worst status of the entries (ok for none). */
export function worstOf(entries: readonly IndexEntry[]): Status {
  return entries.reduce<Status>((worst, e) => worseStatus(worst, e.status), 'ok');
}

/** The index's JSON text, piece by piece: the header, each entry, the end. */
export async function* indexText(header: Omit<FleetIndex, 'targets'>, entries: AsyncIterable<IndexEntry> | Iterable<IndexEntry>): AsyncGenerator<string> {
  yield `${JSON.stringify(header).slice(0, -1)},"targets":[`;
  let first = true;
  for await (const entry of entries) {
    yield `${first ? '' : ','}\n${JSON.stringify(entry)}`;
    first = false;
  }
  yield '\n]}\n';
}
