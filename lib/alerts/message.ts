/**
 * What an alert says, in words, before any chat service's format: one message for a single
 * target, a digest (worst first, with counts) when several alert in one run. Every service's
 * payload builder renders this; none of them words anything itself.
 */
import { days } from '../checks/types';
import { personTime } from '../format';
import type { FindingCode, Report, Status } from '../report';
import { findingWords } from '../status-page/words';
import type { PageLink } from '../store/store';
import { formatTarget } from '../target';
import type { ConfigProblem } from './config-alert';
import type { Alert, AlertReason } from './decide';

/** A status as the alert shows it; `recovered` is an ok that follows a problem. */
export type AlertLabel = Status | 'recovered';

const LABEL_ORDER: readonly AlertLabel[] = ['critical', 'unknown', 'warning', 'ok', 'recovered'];

/** Each label's colour, as #rrggbb (the services that take a colour). */
export const LABEL_COLOR: Record<AlertLabel, string> = {
  critical: '#d32f2f',
  unknown: '#8e24aa',
  warning: '#f9a825',
  ok: '#1e88e5',
  recovered: '#2e7d32',
};

/** A digest lists at most this many targets by name; the rest are counted. */
export const DIGEST_ITEMS = 20;

/**
 * A message carries at most this many items (the worst); the rest are counted. The chat
 * services show 20 of them; the generic webhook gets them all, with their reports' keys and links. The bound
 * keeps the finishing step's memory flat however many targets alert at once.
 */
export const MESSAGE_ITEMS = 200;

/** One target's alert, in words. */
export interface AlertItem {
  /** "example.com:443 (93.184.215.14)". */
  target: string;
  /** The target's labels from a structured targets file (none for a configuration problem). */
  labels: string[];
  label: AlertLabel;
  /** Why now: "first check: critical", "critical → unknown: connection failed [CONNECTION_FAILED]", "crossed the 7-day expiry threshold", "still critical: daily reminder". */
  why: string;
  /** What is wrong, one sentence each (none for a recovery). */
  problems: string[];
  /** What changed that is not a problem ("certificate changed since …"), one sentence each: shown apart, as a note. */
  facts: string[];
  /** "expires in 6 days, on 2026-11-29 05:00 UTC"; null without a certificate. */
  expires: string | null;
  issuer: string | null;
  /** Where the full report is stored (or why it is not): `s3://…` or the folder's path. */
  stored: string;
  /** The report's key under the store's prefix (`reports/…/….json`); null when it was not stored. */
  reportKey: string | null;
  /** A link a person can open to the report (S3: presigned) and until when; null: `stored` says where it is. */
  reportLink: PageLink | null;
  /** An ISO time (data); renderers show it with personTime. */
  checkedAt: string;
  /** The target's alert; null for a configuration problem. */
  alert: Alert | null;
  /** The configuration problem (CONFIG_INVALID); null for a target's alert. */
  config: ConfigProblem | null;
}

export interface AlertMessage {
  kind: 'single' | 'digest';
  /** "CRITICAL example.com:443" or "certcheck: 12 targets need attention". */
  title: string;
  /** The counts in words, worst first: "3 critical, 1 recovered". */
  summary: string;
  /** The worst label of the items (the message's colour). */
  label: AlertLabel;
  counts: Record<AlertLabel, number>;
  /** Worst first; at most MESSAGE_ITEMS of them. */
  items: AlertItem[];
  /** How many items there were in all (more than `items` when some were left out). */
  total: number;
  /** The whole message as plain text (chat notifications, logs). */
  text: string;
  /** Where the status page opens, and until when; null: the message does not link it. */
  page: PageLink | null;
}

/** What a link to the status page says. */
export const PAGE_LINK_TEXT = 'Open the status page';


/** "link valid until 2026-11-30 05:00 UTC"; null for a link that does not expire. */
export function pageValidity(page: PageLink): string | null {
  return page.expiresAt === null ? null : `link valid until ${personTime(page.expiresAt)}`;
}

/**
 * Whether the chat services can make a link of it: an http(s) URL. A folder's file:// URL is
 * shown as text (Discord refuses a whole message whose embed links elsewhere).
 */
export function isWebLink(page: PageLink): boolean {
  return /^https?:\/\//i.test(page.url);
}

/** A link in plain text: "<url> (link valid until …)", or the URL alone for one that does not expire. */
function linkText(link: PageLink): string {
  const until = pageValidity(link);
  return `${link.url}${until ? ` (${until})` : ''}`;
}

/** The status page line of the plain text: "Status page: <url> (link valid until …)". */
function pageLine(page: PageLink): string {
  return `Status page: ${linkText(page)}`;
}

/** One alert and where its report is stored. */
export interface StoredAlert {
  alert: Alert;
  stored: string;
  /** The report's key under the store's prefix, when it was stored (what a link is signed for). */
  reportKey?: string | null;
}

/** What a link to a report says. */
export const REPORT_LINK_TEXT = 'Open the report';

/** Where the report is, in plain text: the link and until when it works, else where it is stored. */
export function reportPlace(item: AlertItem): string {
  return item.reportLink ? linkText(item.reportLink) : item.stored;
}

function labelOf(alert: Alert): AlertLabel {
  return alert.reasons.some((r) => r.kind === 'recovered') ? 'recovered' : alert.report.status;
}

function targetName(report: Report): string {
  const { host, address } = report.target;
  const hostPort = formatTarget(report.target);
  return address && address !== host ? `${hostPort} (${address})` : hostPort;
}

/** "expires in 6 days, on 2026-11-29 05:00 UTC" / "expired 2 days ago, on 2026-11-21 05:00 UTC" / "expires in less than a day, …". */
function expiryWords(report: Report): string | null {
  const leaf = report.leaf;
  if (!leaf) return null;
  const on = personTime(leaf.notAfter);
  const span = Math.abs(leaf.daysRemaining) < 1 ? 'less than a day' : days(leaf.daysRemaining);
  return leaf.daysRemaining > 0 ? `expires in ${span}, on ${on}` : `expired ${span} ago, on ${on}`;
}

/** "connection failed [CONNECTION_FAILED]": the words for a person, the code in brackets. */
function codeWords(codes: readonly FindingCode[]): string {
  return [...new Set(codes)].map((code) => `${findingWords(code)} [${code}]`).join(', ');
}

/** "critical → unknown", with what brought it when something did: "…: connection failed [CONNECTION_FAILED]". */
function transition(from: Status, to: Status, codes: readonly FindingCode[]): string {
  return `${from} → ${to}${codes.length > 0 ? `: ${codeWords(codes)}` : ''}`;
}

function reasonWords(reason: AlertReason, alert: Alert): string {
  const { report, previousStatus } = alert;
  const status = report.status;
  switch (reason.kind) {
    case 'first-check':
      return `first check: ${status}`;
    case 'worse':
      // What made the status what it is: the findings of that severity.
      return transition(reason.from, status, report.findings.filter((f) => f.severity === status).map((f) => f.code));
    case 'new-problem':
      if (previousStatus !== null && previousStatus !== status) return transition(previousStatus, status, reason.codes);
      return `new problem${previousStatus === null ? '' : ` (still ${status})`}: ${codeWords(reason.codes)}`;
    case 'threshold':
      // The lowest threshold is also where an expired certificate stands: say that it expired.
      return report.leaf && report.leaf.daysRemaining <= 0 ? `${expiryWords(report)}` : `crossed the ${reason.days}-day expiry threshold`;
    case 'repeat':
      return `still ${status}: daily reminder (last told ${personTime(reason.lastAlertAt)})`;
    case 'recovered':
      // From ok (a threshold told while still ok, then renewed) or from an unknown status: no arrow from ok to ok.
      return reason.from === null || reason.from === 'ok' ? 'recovered: what was told before is gone' : `${reason.from} → ok: recovered`;
  }
}

function problemsOf(alert: Alert): string[] {
  const { report } = alert;
  if (labelOf(alert) === 'recovered') return [];
  const problems = report.findings.filter((f) => f.severity !== 'info').map((f) => f.message);
  // An expiry threshold can be crossed before WARN_DAYS makes it a finding: say it anyway.
  if (problems.length === 0 && alert.threshold !== null) problems.push(`certificate ${expiryWords(report)}`);
  return problems;
}

/** What a note says: a renewed or replaced certificate is worth knowing, and is no problem. */
function factsOf(report: Report): string[] {
  return report.findings.filter((f) => f.code === 'CERT_CHANGED').map((f) => f.message);
}

/** The label of a fact where a service shows it apart from the problems. */
export const FACT_LABEL = 'Note';

/** One target's alert as a message item. */
export function alertItem({ alert, stored, reportKey }: StoredAlert): AlertItem {
  const { report } = alert;
  return {
    target: targetName(report),
    labels: report.labels ?? [],
    label: labelOf(alert),
    why: alert.reasons.map((r) => reasonWords(r, alert)).join('; '),
    problems: problemsOf(alert),
    facts: factsOf(report),
    expires: expiryWords(report),
    issuer: report.leaf?.issuer ?? null,
    stored,
    reportKey: reportKey ?? null,
    reportLink: null,
    checkedAt: report.checkedAt,
    alert,
    config: null,
  };
}

const CONFIG_WORDS: Record<ConfigProblem['kind'], { label: AlertLabel; why: string; stored: string }> = {
  'skipped-line': { label: 'warning', why: 'CONFIG_INVALID: this line of the target list is not a target; the run goes on without it', stored: 'not checked (fix the line in the target list)' },
  'unreadable-list': { label: 'critical', why: 'the target list cannot be read: nothing is checked', stored: 'no run (fix the target list)' },
  'not-checked': { label: 'unknown', why: 'the run ended before every target was checked', stored: 'see the run summary (notChecked)' },
};

/** A configuration problem as an alert item: a bad line is a warning, an unreadable list critical. */
export function configItem(problem: ConfigProblem, now: Date): AlertItem {
  const words = CONFIG_WORDS[problem.kind];
  return {
    target: problem.where,
    labels: [],
    label: words.label,
    why: words.why,
    problems: [problem.kind === 'skipped-line' ? `${problem.where}: ${problem.reason}` : problem.reason],
    facts: [],
    expires: null,
    issuer: null,
    stored: words.stored,
    reportKey: null,
    reportLink: null,
    checkedAt: now.toISOString(),
    alert: null,
    config: problem,
  };
}

function worstFirst(a: AlertItem, b: AlertItem): number {
  const byLabel = LABEL_ORDER.indexOf(a.label) - LABEL_ORDER.indexOf(b.label);
  if (byLabel !== 0) return byLabel;
  const daysA = a.alert?.report.leaf?.daysRemaining ?? Infinity;
  const daysB = b.alert?.report.leaf?.daysRemaining ?? Infinity;
  return daysA !== daysB ? daysA - daysB : a.target.localeCompare(b.target);
}

/** The target as every message names it: with its labels, where it has any ("shop.example.com:443 [team payments, tier 1]"). */
export function itemName(item: Pick<AlertItem, 'target' | 'labels'>): string {
  return item.labels.length > 0 ? `${item.target} [${item.labels.join(', ')}]` : item.target;
}

/** A line of plain text per item: "CRITICAL example.com:443: certificate expired on ..." (a recovery: why). */
function itemLine(item: AlertItem): string {
  const facts = item.facts.length > 0 ? ` (${FACT_LABEL.toLowerCase()}: ${item.facts.join('; ')})` : '';
  return `${item.label.toUpperCase()} ${itemName(item)}: ${(item.problems.length > 0 ? item.problems : [item.why]).join('; ')}${facts}`;
}

/**
 * Collects one run's alert items as they come (from one process or from every batch of a
 * fan-out): counts them all and keeps the worst MESSAGE_ITEMS, so memory stays flat.
 */
export class AlertCollector {
  readonly counts = Object.fromEntries(LABEL_ORDER.map((l) => [l, 0])) as Record<AlertLabel, number>;
  private items: AlertItem[] = [];
  private total = 0;

  add(item: AlertItem): void {
    this.counts[item.label] += 1;
    this.total += 1;
    this.items.push(item);
    if (this.items.length >= 2 * MESSAGE_ITEMS) this.items = this.items.sort(worstFirst).slice(0, MESSAGE_ITEMS);
  }

  get size(): number {
    return this.total;
  }

  /**
   * Links the report of each item the message will carry with `sign` (S3's presigned links), all
   * at once; an item whose link cannot be made keeps where its report is stored. The first
   * failure in words, or null.
   */
  async linkReports(sign: (key: string) => Promise<PageLink>): Promise<string | null> {
    this.items = this.items.sort(worstFirst).slice(0, MESSAGE_ITEMS);
    let failure: string | null = null;
    await Promise.all(
      this.items.map(async (item) => {
        if (item.reportKey === null) return;
        try {
          item.reportLink = await sign(item.reportKey);
        } catch (err) {
          failure ??= (err as Error).message;
        }
      }),
    );
    return failure;
  }

  /**
   * The message (single for one item, a digest for more), linking the status page when `page`
   * is given; null when there is nothing to say.
   */
  message(page: PageLink | null = null): AlertMessage | null {
    if (this.total === 0) return null;
    const items = this.items.sort(worstFirst).slice(0, MESSAGE_ITEMS);
    const counts = { ...this.counts };
    const total = this.total;
    const summary = LABEL_ORDER.filter((l) => counts[l] > 0)
      .map((l) => `${counts[l]} ${l}`)
      .join(', ');
    const label = items[0].label;
    if (total === 1) {
      const [item] = items;
      const title = `${item.label.toUpperCase()} ${itemName(item)}`;
      const text = [
        `${title}: ${item.why}`,
        ...item.problems.map((p) => `- ${p}`),
        ...item.facts.map((f) => `${FACT_LABEL}: ${f}`),
        ...(item.expires ? [`Certificate: ${item.expires}`] : []),
        ...(item.issuer ? [`Issuer: ${item.issuer}`] : []),
        `Report: ${reportPlace(item)}`,
        ...(page ? [pageLine(page)] : []),
      ].join('\n');
      return { kind: 'single', title, summary, label, counts, items, total, text, page };
    }
    const title = `certcheck: ${total} targets to look at`;
    const more = total > items.length ? [`- and ${total - items.length} more: see the run summary`] : [];
    const text = [`${title} (${summary})`, ...items.map((item) => `- ${itemLine(item)}`), ...more, ...(page ? [pageLine(page)] : [])].join('\n');
    return { kind: 'digest', title, summary, label, counts, items, total, text, page };
  }
}

/** The message for one run's alerts and configuration problems (at least one of either), linking `page` when given. */
export function buildMessage(alerts: readonly StoredAlert[], config: readonly ConfigProblem[] = [], now = new Date(), page: PageLink | null = null): AlertMessage {
  const collector = new AlertCollector();
  for (const stored of alerts) collector.add(alertItem(stored));
  for (const problem of config) collector.add(configItem(problem, now));
  const message = collector.message(page);
  if (message === null) throw new RangeError('an alert message needs at least one alert');
  return message;
}

/** What a digest that names only `listed` of its targets says of the others; null when it names them all. */
export function moreTargets(message: AlertMessage, listed: number): string | null {
  const rest = message.total - listed;
  return rest > 0 ? `and ${rest} more targets: see the run summary and the stored reports` : null;
}

/** Cuts `text` to `max` characters, marking the cut with "…". */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Escapes `&`, `<` and `>`, so that text a server or a certificate sends cannot become markup
 * where a service reads them (Slack mrkdwn: links, @channel; Google Chat card HTML).
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Breaks the `](` of a Markdown link (Teams cards, Discord embeds), so that text a server or a
 * certificate sends cannot become a link; both services show backslash escapes as they are.
 */
export function breakLinks(text: string): string {
  return text.replace(/\]\(/g, '] (');
}
