/**
 * Whether a target's new report deserves an alert, from its previous stored report and what was
 * already told (pure: data in, data out; the clock is a parameter).
 *
 * A report's problems are its non-info findings plus the leaf's expiry threshold (the lowest of
 * the thresholds its days remaining are at or under). Each problem has a dedup key of target,
 * address, code, threshold and leaf fingerprint, so a renewed certificate starts afresh.
 * An alert goes out when
 * - the target is checked for the first time and is not ok (no previous report, nothing told),
 * - the status is worse than the previous report's,
 * - a problem is not yet told: a threshold crossed, a new finding, a new certificate,
 * - the target is critical or unknown and nothing was said for a day (the daily reminder),
 * - and once when it has no problem left but had one (recovered).
 * A warning is told once (and again at each expiry threshold); it is not repeated daily.
 */
import { type FindingCode, type Report, type Status, STATUS_RANK as RANK } from '../report';

export const DEFAULT_ALERT_THRESHOLDS: readonly number[] = [30, 14, 7, 3, 1];

/**
 * An unchanged critical or unknown problem is told again after this long: a day, less a margin
 * so that a daily schedule, whose start drifts by seconds, reminds every day and not every other.
 */
export const REPEAT_AFTER_MS = 24 * 3_600_000 - 15 * 60_000;

/** What is remembered of one target between runs. */
export interface TargetAlertMemory {
  /** When the last alert about the target went out. */
  lastAlertAt: string;
  /** The dedup keys of the problems already told that are still there. */
  told: string[];
}

/** Everything remembered, stored beside the reports (`alerts/history.json`). */
export interface AlertHistory {
  schemaVersion: 1;
  /** Per report key (`<host>_<port>[_<address>]`, as under `latest/`). */
  targets: Record<string, TargetAlertMemory>;
}

export type AlertReason =
  /** No previous report and nothing told: the target's first check (`from` is always null). */
  | { kind: 'first-check'; from: null }
  | { kind: 'worse'; from: Status }
  | { kind: 'threshold'; days: number }
  | { kind: 'new-problem'; codes: FindingCode[] }
  | { kind: 'repeat'; lastAlertAt: string }
  /** `from`: the status before; null when it is not known (the previous report could not be read). */
  | { kind: 'recovered'; from: Status | null };

/** One target's alert: the report, and why it goes out now. */
export interface Alert {
  report: Report;
  /** The previous stored report's status; null for a first-seen target. */
  previousStatus: Status | null;
  reasons: AlertReason[];
  /** The threshold the leaf is at or under (days), or null. */
  threshold: number | null;
}

export interface AlertInput {
  previous: Report | null;
  current: Report;
  memory: TargetAlertMemory | null;
  /** Positive whole days, in any order. */
  thresholds: readonly number[];
  now: Date;
}

export interface AlertDecision {
  alert: Alert | null;
  /** What to remember of the target once the alert (if any) is delivered; null: forget it. */
  memory: TargetAlertMemory | null;
}

/** The lowest threshold that `daysRemaining` is at or under, or null when above them all. */
export function thresholdFor(daysRemaining: number, thresholds: readonly number[]): number | null {
  const under = thresholds.filter((t) => daysRemaining <= t);
  return under.length === 0 ? null : Math.min(...under);
}

interface Problem {
  key: string;
  code: FindingCode;
  threshold: number | null;
}

/** The dedup key: target, address, code, threshold, leaf fingerprint. */
export function dedupKey(report: Report, code: FindingCode, threshold: number | null): string {
  const { host, port, address } = report.target;
  return [`${host}:${port}`, address ?? '-', code, threshold ?? '-', report.leaf?.fingerprintSha256 ?? '-'].join('|');
}

function problemsOf(report: Report, threshold: number | null): Problem[] {
  const problems: Problem[] = [];
  // The leaf's expiry is paced by the thresholds; EXPIRES_SOON findings are that same problem
  // (an intermediate's EXPIRES_SOON still alerts when it makes the status worse).
  if (threshold !== null) problems.push({ key: dedupKey(report, 'EXPIRES_SOON', threshold), code: 'EXPIRES_SOON', threshold });
  for (const finding of report.findings) {
    if (finding.severity === 'info' || (threshold !== null && finding.code === 'EXPIRES_SOON')) continue;
    const key = dedupKey(report, finding.code, null);
    if (!problems.some((p) => p.key === key)) problems.push({ key, code: finding.code, threshold: null });
  }
  return problems;
}

export function decideAlert(input: AlertInput): AlertDecision {
  const { previous, current, memory, now } = input;
  const previousStatus = previous?.status ?? 'ok';
  const threshold = current.leaf ? thresholdFor(current.leaf.daysRemaining, input.thresholds) : null;
  const problems = problemsOf(current, threshold);
  const told = new Set(memory?.told ?? []);
  const alertOf = (reasons: AlertReason[]): Alert => ({ report: current, previousStatus: previous?.status ?? null, reasons, threshold });

  if (problems.length === 0) {
    const recovered = previousStatus !== 'ok' || told.size > 0;
    return { alert: recovered ? alertOf([{ kind: 'recovered', from: previous?.status ?? null }]) : null, memory: null };
  }

  const reasons: AlertReason[] = [];
  // Without a previous report but with something told (the report could not be read), the
  // status it came from is unknown: only what was not told yet goes out.
  const first = previous === null && memory === null && current.status !== 'ok';
  const worse = previous !== null && RANK[current.status] > RANK[previous.status];
  if (first) reasons.push({ kind: 'first-check', from: null });
  if (worse) reasons.push({ kind: 'worse', from: previous.status });
  const fresh = problems.filter((p) => !told.has(p.key));
  const crossed = fresh.find((p) => p.threshold !== null);
  if (crossed?.threshold != null) reasons.push({ kind: 'threshold', days: crossed.threshold });
  const newCodes = fresh.filter((p) => p.threshold === null).map((p) => p.code);
  if (newCodes.length > 0 && !worse && !first) reasons.push({ kind: 'new-problem', codes: newCodes });
  if (
    reasons.length === 0 &&
    memory !== null &&
    (current.status === 'critical' || current.status === 'unknown') &&
    now.getTime() - Date.parse(memory.lastAlertAt) >= REPEAT_AFTER_MS
  ) {
    reasons.push({ kind: 'repeat', lastAlertAt: memory.lastAlertAt });
  }

  const keys = problems.map((p) => p.key);
  if (reasons.length === 0) {
    // Nothing to say; forget what was told of problems that are gone.
    return { alert: null, memory: { lastAlertAt: memory?.lastAlertAt ?? now.toISOString(), told: keys } };
  }
  return { alert: alertOf(reasons), memory: { lastAlertAt: now.toISOString(), told: keys } };
}
