/** The table for people: one line per report, its findings indented below. */
import type { IndexEntry } from './fleet-index';
import { type Report, type ResumptionKind, type Severity, type Status, STATUSES_BY_URGENCY } from './report';
import { formatTarget } from './target';

const COLORS: Record<Status | Severity, string> = {
  ok: '\x1b[32m',
  info: '\x1b[36m',
  warning: '\x1b[33m',
  critical: '\x1b[31m',
  unknown: '\x1b[35m',
};
const RESET = '\x1b[0m';

function paint(text: string, tone: Status | Severity, color: boolean): string {
  return color ? `${COLORS[tone]}${text}${RESET}` : text;
}

const SHORT: Record<ResumptionKind, string> = { sessionId: 'id', ticket: 'ticket', tls13: 'tls13' };

/** The mechanisms that resume ("id ticket tls13"), partial ones marked with "~". */
function resumption(report: Report): string {
  const r = report.resumption;
  if (!report.tls) return '-';
  if (r.sessionId === 'skipped') return 'skipped';
  const kinds = (Object.keys(SHORT) as ResumptionKind[]).filter((k) => r[k] === 'supported' || r[k] === 'partial');
  if (kinds.length === 0) return 'none';
  return kinds.map((k) => `${r[k] === 'partial' ? '~' : ''}${SHORT[k]}`).join(',');
}

function expiry(report: Report): string {
  if (!report.leaf) return '-';
  return `${report.leaf.daysRemaining.toFixed(1)}d`;
}

/**
 * What the table prints of one report, and no more: its status, its cells (target, expiry, TLS,
 * resumption, issuer) and its findings' lines (code and message, coloured with `color`), so a
 * long run keeps a few short strings per report until the columns can be sized.
 */
export interface TableRow {
  status: Status;
  cells: string[];
  findings: string[];
}

/** One report's row of the table; `color` colours its findings' codes. */
export function tableRow(r: Report, color: boolean): TableRow {
  const where = formatTarget(r.target);
  const address = r.target.address && r.target.address !== r.target.host ? ` (${r.target.address})` : '';
  return {
    status: r.status,
    cells: [`${where}${address}`, expiry(r), r.tls?.protocol ?? '-', resumption(r), r.leaf?.issuer ?? '-'],
    findings: r.findings.map((finding) => `${paint(finding.code, finding.severity, color)}  ${finding.message}`),
  };
}

/** Rows as a table, columns as wide as their widest cell; `color` adds ANSI colours to the statuses. */
export function formatRows(rows: readonly TableRow[], color: boolean): string {
  const header = ['STATUS', 'TARGET', 'EXPIRES', 'TLS', 'RESUMES', 'ISSUER'];
  const widths = header.map((h, i) => rows.reduce((max, row) => Math.max(max, (i === 0 ? row.status : row.cells[i - 1]).length), h.length));
  /** Cells padded to their columns' widths, `from` being the column of the first cell. */
  const pad = (cells: string[], from = 0) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[from + i]))).join('  ').trimEnd();
  const out = [pad(header)];
  const indent = ' '.repeat(widths[0] + 2);
  for (const row of rows) {
    out.push(`${paint(row.status.padEnd(widths[0]), row.status, color)}  ${pad(row.cells, 1)}`);
    for (const finding of row.findings) out.push(`${indent}${finding}`);
  }
  return `${out.join('\n')}\n`;
}

/** Formats reports as a table; `color` adds ANSI colours to statuses and severities. */
export function formatTable(reports: readonly Report[], color: boolean): string {
  return formatRows(reports.map((r) => tableRow(r, color)), color);
}

/** `text` cut to `max` characters, the last of them `…` when cut. */
export function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The most characters of a target's labels the summary's table shows (the index keeps them all). */
const TABLE_LABEL_CHARS = 40;

/**
 * The fleet from its index as a table: status, target, days left, expiry date, issuer, codes,
 * and the targets file's labels when any target has some.
 */
export function formatIndexTable(entries: readonly IndexEntry[], color: boolean): string {
  const withLabels = entries.some((e) => e.labels?.length);
  const rows = entries.map((e) => {
    const where = formatTarget({ host: e.host, port: e.port, protocol: e.scheme });
    const address = e.address && e.address !== e.host ? ` (${e.address})` : '';
    // Control characters never reach the terminal, whoever wrote the index.
    const labels = withLabels ? [cutText((e.labels ?? []).join(', ').replace(/\p{Cc}/gu, ' '), TABLE_LABEL_CHARS) || '-'] : [];
    return [e.status, `${where}${address}`, e.daysRemaining === null ? '-' : `${e.daysRemaining.toFixed(1)}d`, e.notAfter?.slice(0, 10) ?? '-', e.issuer ?? '-', ...labels, e.codes.join(',') || '-'];
  });
  const header = ['STATUS', 'TARGET', 'EXPIRES', 'ON', 'ISSUER', ...(withLabels ? ['LABELS'] : []), 'FINDINGS'];
  const widths = header.map((h, i) => rows.reduce((max, row) => Math.max(max, row[i].length), h.length));
  const line = (cells: string[], status?: Status) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]);
        return i === 0 && status ? paint(padded, status, color) : padded;
      })
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map((row, i) => line(row, entries[i].status))].join('\n')}\n`;
}

/**
 * Whether to colour a stream, as chalk and supports-color users expect: FORCE_COLOR (not 0 or
 * false) forces it; otherwise NO_COLOR, TERM=dumb or a stream that is not a terminal turn it off.
 */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** A time as a person reads it, to the minute: "2026-11-29 05:00 UTC" (from an ISO time). */
export function personTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How many of `items` have each status, most urgent first: "1 critical, 0 unknown, 2 warning, 9 ok". */
export function statusCounts(items: readonly { status: Status }[]): string {
  return countsInWords(Object.fromEntries(STATUSES_BY_URGENCY.map((s) => [s, items.filter((i) => i.status === s).length])) as Record<Status, number>);
}

/** Counts already made, in the same words: "1 critical, 0 unknown, 2 warning, 9 ok". */
export function countsInWords(counts: Readonly<Record<Status, number>>): string {
  return STATUSES_BY_URGENCY.map((s) => `${counts[s]} ${s}`).join(', ');
}
