/**
 * Keeping one report, as every door that stores reports does: read the target's previous report
 * (for CERT_CHANGED and for alerts) before it is replaced, add CERT_CHANGED, store the report
 * (one retry), add it to the target's daily rollup, and say where it went.
 */
import { checkCertChanged } from '../checks/cert-changed';
import { appendToRollup, type HistorySpan, historySpans } from '../history-rollup';
import type { Report } from '../report';
import { reportKeys, type ReportStore, reportTargetKey } from './store';

export interface KeptReport {
  /** The report's key under `latest/` (`<host>_<port>[_<address>]`). */
  key: string;
  /** The target's report before this one (null when none, or when it could not be read). */
  previous: Report | null;
  /** Where the report is stored, or null when storing failed. */
  stored: string | null;
  /** What went wrong, in words: an unreadable previous report, a failed store. */
  previousError: string | null;
  storeError: string | null;
  /** The target's last days as spans (null when its rollup could not be read or written). */
  history: HistorySpan[] | null;
  /** Why the rollup was not kept, in words. */
  historyError: string | null;
}

const STORE_ATTEMPTS = 2;

/** Stores `report` (adding CERT_CHANGED to its findings when the leaf changed); never throws. */
export async function keepReport(store: ReportStore, report: Report, perAddress: boolean): Promise<KeptReport> {
  const key = reportTargetKey(report, perAddress);
  let previous: Report | null = null;
  let previousError: string | null = null;
  try {
    previous = await store.getLatest(key);
  } catch (err) {
    previousError = (err as Error).message;
  }
  report.findings.push(...checkCertChanged(previous, report));
  let storeError: string | null = null;
  for (let attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
    try {
      await store.putReport(report, { perAddress });
      storeError = null;
      break;
    } catch (err) {
      storeError = (err as Error).message;
    }
  }
  const stored = storeError === null ? `${store.location}/${reportKeys(report, perAddress).history}` : null;
  let history: HistorySpan[] | null = null;
  let historyError: string | null = null;
  if (storeError === null) {
    try {
      const rollup = appendToRollup(await store.getRollup(key), report, key);
      await store.putRollup(key, rollup);
      history = historySpans(rollup.days);
    } catch (err) {
      historyError = (err as Error).message;
    }
  }
  return { key, previous, stored, previousError, storeError, history, historyError };
}
