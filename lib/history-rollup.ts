/**
 * Each target's history, kept small: one point a day (`history/<key>.json`), appended at every
 * run and cut to the last ROLLUP_DAYS days, so drawing a target's last 90 days reads one small
 * object, never its stored reports. The status page gets it shorter still, as spans of days in
 * which nothing but the countdown moved.
 */
import { type Report, type Status, worseStatus } from './report';

/** How many days a rollup keeps (the history chart's width). */
export const ROLLUP_DAYS = 90;

/** One day of one target: the worst status seen that day, and the latest certificate. */
export interface DayPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  status: Status;
  /** The leaf's days remaining at the day's last check, or null without a certificate. */
  daysRemaining: number | null;
  /** The leaf's SHA-256 fingerprint at the day's last check, or null. */
  fingerprint: string | null;
  /** The certificate changed that day (CERT_CHANGED). */
  changed?: true;
}

export interface Rollup {
  schemaVersion: 1;
  key: string;
  /** Oldest first; at most one per day, at most ROLLUP_DAYS. */
  days: DayPoint[];
}

/**
 * A run of consecutive days with one status and one certificate (its days remaining falling by one
 * a day): `[first day, number of days, status, days remaining on the first day, changed on the first day]`.
 */
export type HistorySpan = [day: string, length: number, status: Status, daysRemaining: number | null, changed: 0 | 1];

const DAY_MS = 86_400_000;

/** The day `days` after `day` (both YYYY-MM-DD, UTC). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The rollup with `report` added to its day (a new day, or the day's point updated), cut to ROLLUP_DAYS. */
export function appendToRollup(rollup: Rollup | null, report: Report, key: string): Rollup {
  const day = report.checkedAt.slice(0, 10);
  const changed = report.findings.some((f) => f.code === 'CERT_CHANGED');
  const point: DayPoint = {
    day,
    status: report.status,
    daysRemaining: report.leaf?.daysRemaining ?? null,
    fingerprint: report.leaf?.fingerprintSha256 ?? null,
    ...(changed ? { changed: true as const } : {}),
  };
  const oldest = addDays(day, -(ROLLUP_DAYS - 1));
  // Days after this one (a clock set back) are dropped rather than kept out of order.
  const days = (rollup?.days ?? []).filter((p) => p.day >= oldest && p.day <= day);
  const last = days.at(-1);
  if (last?.day === day) {
    days[days.length - 1] = { ...point, status: worseStatus(last.status, point.status), ...(changed || last.changed ? { changed: true as const } : {}) };
  } else {
    days.push(point);
  }
  return { schemaVersion: 1, key, days };
}

/** The rollup's days as spans (see HistorySpan): usually one or two for a whole quarter. */
export function historySpans(days: readonly DayPoint[]): HistorySpan[] {
  const spans: HistorySpan[] = [];
  let previous: DayPoint | undefined;
  for (const point of days) {
    const span = spans.at(-1);
    const continues =
      span !== undefined &&
      previous !== undefined &&
      !point.changed &&
      point.day === addDays(previous.day, 1) &&
      point.status === previous.status &&
      point.fingerprint === previous.fingerprint &&
      (point.daysRemaining === null ? previous.daysRemaining === null : previous.daysRemaining !== null && point.daysRemaining === previous.daysRemaining - 1);
    if (continues) span[1]++;
    else spans.push([point.day, 1, point.status, point.daysRemaining, point.changed ? 1 : 0]);
    previous = point;
  }
  return spans;
}

/** The spans' days again, one point each (what the page's chart draws). */
export function daysOfSpans(spans: readonly HistorySpan[]): Omit<DayPoint, 'fingerprint'>[] {
  return spans.flatMap(([day, length, status, daysRemaining, changed]) =>
    Array.from({ length }, (_, i) => ({
      day: addDays(day, i),
      status,
      daysRemaining: daysRemaining === null ? null : daysRemaining - i,
      ...(changed && i === 0 ? { changed: true as const } : {}),
    })),
  );
}
