/**
 * The status page (`<prefix>/index.html`): one self-contained HTML file, built from the fleet
 * index's entries alone (a pure function of them), so it opens from a folder, from S3 and from
 * `GET /status` alike. The server renders the header and every row of the table (it works
 * without JavaScript); the inline script adds paging, the filter and search, the expiry timeline
 * and the detail view from a compact JSON block. Nothing is loaded from anywhere: the page's own
 * Content-Security-Policy forbids it.
 */
import { createHash } from 'node:crypto';
import { byUrgency, type IndexEntry } from './fleet-index';
import { cutText, personTime } from './format';
import { formatTarget, targetKey } from './target';
import { type Status, STATUSES_BY_URGENCY } from './report';
import { PAGE_SCRIPT } from './status-page/script';
import { PAGE_STYLE } from './status-page/style';
import { findingWords, VERDICT_LETTERS } from './status-page/words';

export interface StatusPageInput {
  header: { generatedAt: string; runStartedAt: string };
  entries: Iterable<IndexEntry>;
  /** The run's schedule (an EventBridge `rate(…)` or `cron(…)`), or null for a run started by hand. */
  schedule: string | null;
  /** At most this many rows, the most urgent (default PAGE_MAX_ROWS); the counts cover every target. */
  maxRows?: number;
}

/** The most rows one page carries (about 5 MB of HTML); a larger fleet shows its most urgent. */
export const PAGE_MAX_ROWS = 20_000;

/** The most characters of a row's labels the page shows (the index and the report keep them all). */
export const PAGE_LABEL_CHARS = 60;

const SEVERITY_LETTERS: Record<string, string> = { info: 'i', warning: 'w', critical: 'c', unknown: 'u' };

/** The Content-Security-Policy the page carries: nothing may load, only its own script runs. */
export const PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'`;

/** Text made safe for HTML, in content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The issuer's common name (else its organisation, else all of it): "R3" for "CN=R3, O=Let's Encrypt, C=US". */
export function shortIssuer(issuer: string): string {
  const attr = (name: string): string | undefined => new RegExp(`(?:^|,)\\s*${name}=((?:\\\\.|[^,])*)`).exec(issuer)?.[1]?.trim();
  return attr('CN') || attr('O') || issuer;
}

/** When the next run is due, in words, from the schedule. */
export function nextRunWords(schedule: string | null, runStartedAt: string): { text: string; at: string | null } {
  if (schedule === null) return { text: 'not scheduled (this run was started by hand)', at: null };
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(schedule.trim());
  if (!rate) return { text: `on the schedule ${schedule}`, at: null };
  const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[rate[2] as 'minute' | 'hour' | 'day'];
  const at = new Date(Date.parse(runStartedAt) + Number(rate[1]) * unitMs).toISOString();
  return { text: personTime(at), at };
}

/** One row, ready: its sort keys, its HTML and its data for the script. */
interface Row {
  entry: Pick<IndexEntry, 'key' | 'status' | 'daysRemaining'>;
  html: string;
  data: string;
}

/** Interns strings shared across a fleet (issuers, intermediates): each is written once. */
class StringTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.index.set(value, i);
    }
    return i;
  }
}

/**
 * Builds the page from entries given one at a time (a fleet's entries stream from the run's
 * results): only each row's finished text is kept, and only the `maxRows` most urgent.
 */
export class StatusPageBuilder {
  private rows: Row[] = [];
  private readonly strings = new StringTable();
  private readonly counts: Record<Status, number> = { critical: 0, unknown: 0, warning: 0, ok: 0 };
  private total = 0;
  private readonly runDay: string;
  private readonly maxRows: number;

  constructor(private readonly input: Omit<StatusPageInput, 'entries'>) {
    // The day the page was written: a run that started before midnight (UTC) and checked after it
    // has its last points on that day, and the 90-day window ends there.
    this.runDay = input.header.generatedAt.slice(0, 10);
    this.maxRows = input.maxRows ?? PAGE_MAX_ROWS;
  }

  add(entry: IndexEntry): void {
    this.total += 1;
    this.counts[entry.status] = (this.counts[entry.status] ?? 0) + 1;
    this.rows.push({ entry: { key: entry.key, status: entry.status, daysRemaining: entry.daysRemaining }, html: this.rowHtml(entry), data: this.rowData(entry) });
    // Keep at most twice the bound between sorts: memory stays bounded however long the fleet.
    if (this.rows.length >= 2 * this.maxRows) this.trim();
  }

  private trim(): void {
    this.rows.sort((a, b) => byUrgency(a.entry, b.entry));
    this.rows.length = Math.min(this.rows.length, this.maxRows);
  }

  private rowHtml(e: IndexEntry): string {
    const target = formatTarget({ host: e.host, port: e.port, protocol: e.scheme });
    // The address checked, where it is not the host itself (a name's address).
    const shownAddress = e.address !== null && e.address !== e.host ? e.address : null;
    const address = shownAddress ? ` <small>${escapeHtml(shownAddress)}</small>` : '';
    // A targets file's labels, under the target (a span: the script reads the address from the <small>), cut so a row stays small.
    const labels = e.labels?.length ? `<span>${escapeHtml(cutText(e.labels.join(', '), PAGE_LABEL_CHARS))}</span>` : '';
    const days = e.daysRemaining === null ? '—' : String(e.daysRemaining);
    const expires = e.notAfter ? escapeHtml(e.notAfter.slice(0, 10)) : '—';
    const issuer = e.issuer ? escapeHtml(shortIssuer(e.issuer)) : '—';
    const findings = escapeHtml(e.codes.map(findingWords).join('; '));
    // Closing </td> and </tr> are implied by the next cell and row (HTML's own rule), and the cells
    // carry no class (the header names each column; the style goes by position): a 10,000-row page
    // stays small. The target becomes a link to its detail view when the script shows the row
    // (without script there is no detail view to link to).
    // The key is written only where the target cell does not give it (the script reads it from there).
    const key = targetKey(e.host, e.port, shownAddress ?? undefined, e.scheme) === e.key ? '' : ` data-key="${escapeHtml(e.key)}"`;
    return `<tr${key} data-status=${e.status}><td>${e.status}<td>${escapeHtml(target)}${address}${labels}<td>${days}<td>${expires}<td>${issuer}<td>${findings}\n`;
  }

  /**
   * `[findings, presented, path, trusted, resumption, revocation, history, stored, names, protocol,
   * subject, checkedAt, issuer]`; shared strings as numbers into the string table; the path as
   * how many certificates it shares with the presented chain, then its own; the names only where
   * a name is the problem (HOSTNAME_MISMATCH: the report has them all).
   */
  private rowData(e: IndexEntry): string {
    const s = this.strings;
    const findings = (e.findings ?? e.codes.map((code) => ({ code, severity: 'info', message: findingWords(code) }))).map((f) => [f.code, SEVERITY_LETTERS[f.severity] ?? 'u', f.message]);
    const resumption = e.resumption ? `${VERDICT_LETTERS[e.resumption.sessionId]}${VERDICT_LETTERS[e.resumption.ticket]}${VERDICT_LETTERS[e.resumption.tls13]}` : '???';
    const revocation = e.revocation ? s.of(revocationWords(e.revocation.status, e.revocation.method)) : null;
    const runDayMs = Date.parse(`${this.runDay}T00:00:00Z`);
    // Day offsets from the page's day, within the last 90 days (-89 … 0); a span reaching further
    // back is cut at the left, one reaching past the page's day (a clock ahead) at the right.
    const history = (e.history ?? []).flatMap(([day, length, status, daysRemaining, changed]) => {
      const offset = Math.round((Date.parse(`${day}T00:00:00Z`) - runDayMs) / 86_400_000);
      const cut = Math.max(0, -89 - offset);
      const kept = Math.min(length, 1 - offset) - cut;
      if (kept <= 0) return [];
      // `[offset, days, status (its index in STATUSES_BY_URGENCY), days remaining]`, then 1 when the certificate changed that first day.
      const span = [offset + cut, kept, STATUSES_BY_URGENCY.indexOf(status), daysRemaining === null ? null : daysRemaining - cut];
      return [cut === 0 && changed === 1 ? [...span, 1] : span];
    });
    const names = e.codes.includes('HOSTNAME_MISMATCH') ? (e.names ?? []) : null;
    const presented = e.chain?.presented ?? [];
    const path = e.chain?.path ?? [];
    let shared = 0;
    while (shared < presented.length && shared < path.length && presented[shared] === path[shared]) shared++;
    // The usual leaf subject, "CN=<host>", is written as -1 (the script rebuilds it from the row).
    const certificate = (subject: string): number => (subject === `CN=${e.host}` ? -1 : s.of(subject));
    return scriptJson([
      findings,
      presented.map(certificate),
      [shared, ...path.slice(shared).map(certificate)],
      e.chain ? (e.chain.trusted ? 1 : 0) : null,
      resumption,
      revocation,
      history,
      e.report ? 1 : 0,
      names && names.length > 8 ? [...names.slice(0, 8), `and ${names.length - 8} more`] : names,
      e.protocol ? s.of(e.protocol) : null,
      // The subject, unless it is the first presented certificate's (the leaf's, as usual).
      e.subject && e.subject !== presented[0] ? certificate(e.subject) : null,
      s.of(personTime(e.checkedAt)),
      e.issuer ? s.of(e.issuer) : null,
    ]);
  }

  /** The page's text, piece by piece. */
  *parts(): Generator<string> {
    this.trim();
    const { header, schedule } = this.input;
    const next = nextRunWords(schedule, header.runStartedAt);
    const problems = STATUSES_BY_URGENCY.filter((s) => s !== 'ok' && this.counts[s] > 0).map((s) => `${this.counts[s]} ${s}`);
    const worst = STATUSES_BY_URGENCY.find((s) => this.counts[s] > 0) ?? 'ok';
    const title = `certcheck: ${problems.length ? problems.join(', ') : 'all ok'} of ${this.total} target(s)`;
    yield `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`;
    yield `<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>\n<body>\n`;
    yield `<header><h1>certcheck: <span id="worst" data-status="${worst}">${problems.length ? escapeHtml(problems.join(', ')) : 'all ok'}</span></h1>`;
    yield `<p id="run">Run of <time id="run-time" datetime="${escapeHtml(header.runStartedAt)}">${escapeHtml(personTime(header.runStartedAt))}</time> · next run <span id="next-run"${next.at ? ` data-at="${next.at}"` : ''}>${escapeHtml(next.text)}</span></p>\n<ul id="counts">`;
    for (const s of STATUSES_BY_URGENCY) yield `<li data-status="${s}"><span class="n">${this.counts[s]}</span> ${s}</li>`;
    yield `<li data-status="all"><span class="n">${this.total}</span> target(s)</li></ul></header>\n<main>\n`;
    yield `<section id="timeline-section" aria-labelledby="timeline-title" hidden><h2 id="timeline-title">Expiring in the next 90 days</h2><svg id="timeline" viewBox="0 0 960 220" role="img" aria-label="expiry timeline"></svg></section>\n`;
    yield `<section aria-labelledby="targets-title"><h2 id="targets-title">Targets, most urgent first</h2>\n`;
    yield `<div id="controls" role="search" hidden><label>Status <select id="status-filter"><option value="all">all</option><option value="problems">not ok</option>${STATUSES_BY_URGENCY.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label> <label>Search <input id="search" type="search" placeholder="host, label, issuer, finding"></label> <button id="prev" type="button">Previous</button> <span id="shown" aria-live="polite"></span> <button id="next" type="button">Next</button></div>\n`;
    yield DETAIL_SKELETON;
    yield `<table id="targets"><caption>${this.rows.length < this.total ? `The ${this.rows.length} most urgent of ${this.total} targets (index.json lists every one).` : `Every target (${this.total}).`} Status is written in words; colour repeats it.</caption>\n`;
    yield `<thead><tr><th scope="col">Status<th scope="col">Target<th scope="col">Days left<th scope="col">Expires<th scope="col">Issuer<th scope="col">Findings</thead>\n<tbody>\n`;
    for (let i = 0; i < this.rows.length; i += 500) yield this.rows.slice(i, i + 500).map((r) => r.html).join('');
    yield `</tbody></table></section>\n</main>\n<script type="application/json" id="page-data">{"run":${scriptJson({ day: this.runDay, generatedAt: header.generatedAt, total: this.total })},"strings":${scriptJson(this.strings.values)},"rows":[\n`;
    for (let i = 0; i < this.rows.length; i += 500) yield `${i > 0 ? ',\n' : ''}${this.rows.slice(i, i + 500).map((r) => r.data).join(',\n')}`;
    yield `\n]}</script>\n<script>${PAGE_SCRIPT}</script>\n</body></html>\n`;
  }
}

function revocationWords(status: string, method: string): string {
  const how = { 'ocsp-stapled': 'OCSP, stapled', ocsp: 'OCSP', crl: 'CRL', none: 'no method' }[method] ?? method;
  return status === 'not-checked' ? 'not checked' : `${status} (${how})`;
}

const DETAIL_SKELETON = `<section id="detail" aria-labelledby="detail-title" hidden><h2 id="detail-title" tabindex="-1"></h2><button id="detail-close" type="button">Close</button>
<p id="detail-status"></p><h3>Findings</h3><ul id="detail-findings"></ul>
<h3>Certificate</h3><dl><dt>Subject</dt><dd id="detail-subject"></dd><dt>Issuer</dt><dd id="detail-issuer"></dd><dt id="detail-names-label">Names</dt><dd id="detail-names"></dd><dt>Revocation</dt><dd id="detail-revocation"></dd></dl>
<h3>Chain as presented</h3><ol id="detail-presented"></ol><h3>Chain as verified</h3><p id="detail-trust"></p><ol id="detail-path"></ol>
<h3>Session resumption</h3><dl id="detail-resumption"><dt>TLS 1.2 session IDs</dt><dd data-kind="sessionId"></dd><dt>TLS 1.2 session tickets</dt><dd data-kind="ticket"></dd><dt>TLS 1.3 tickets</dt><dd data-kind="tls13"></dd></dl>
<h3>History, last 90 days</h3><svg id="history" viewBox="0 0 640 170" role="img" aria-label="history"></svg><p id="history-none" class="muted" hidden>No history kept yet.</p>
<p><a id="detail-report" href="#">The latest report (JSON)</a></p></section>\n`;

/** The whole page for a set of entries (tests, the CLI): see StatusPageBuilder. */
export function statusPageHtml(input: StatusPageInput): string {
  const builder = new StatusPageBuilder(input);
  for (const entry of input.entries) builder.add(entry);
  return [...builder.parts()].join('');
}
