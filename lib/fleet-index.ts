/**
 * The fleet index (`<prefix>/index.json`): one small entry per target, written after every
 * scheduled run, from which the fleet can be read at a glance (`certcheck summary`) without
 * opening every report. Written as a stream of its entries, so the run's memory stays flat.
 */
import { type Report, type Status, STATUS_RANK, worseStatus } from './report';

/** What the index says of one target (one report: per address where addresses are checked one by one). */
export interface IndexEntry {
  /** The report's key under `latest/`. */
  key: string;
  host: string;
  port: number;
  address: string | null;
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
}

export interface FleetIndex {
  schemaVersion: 1;
  /** When the index was written, and the run it comes from. */
  generatedAt: string;
  runStartedAt: string;
  targets: IndexEntry[];
}

/** One report as an index entry. */
export function indexEntryOf(report: Report, key: string, stored: string | null): IndexEntry {
  const { host, port, address } = report.target;
  return {
    key,
    host,
    port,
    address,
    status: report.status,
    daysRemaining: report.leaf?.daysRemaining ?? null,
    notAfter: report.leaf?.notAfter ?? null,
    issuer: report.leaf?.issuer ?? null,
    codes: report.findings.filter((f) => f.severity !== 'info').map((f) => f.code),
    checkedAt: report.checkedAt,
    report: stored,
  };
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
