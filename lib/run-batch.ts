/**
 * The middle step of a run: check one batch of targets, keep each report as soon as it exists
 * (a crash later loses nothing stored), decide each target's alert, and say what the batch found.
 * The same step serves one process (the whole list is one batch) and the queue's workers.
 */
import { decideTargetAlert } from './alerts/alert-run';
import { indexEntryOf } from './fleet-index';
import type { LogEntry } from './log';
import { type Report, type Status } from './report';
import { runChecks } from './run';
import { type BatchMessage, type BatchResult, checkOptionsOf, emptyBatchResult, inputOfBatch, targetOfBatch } from './run-state';
import { keepReport } from './store/keep';
import { reportKeys, type ReportStore } from './store/store';
import type { Target } from './target';
import { pinsOf } from './target-list';
import { caKey, distinctCas } from './target-settings';
import { buildTargetTrust, type ReadCa } from './target-trust';
import type { TrustStore } from './x509/trust-store';

export interface BatchDeps {
  store: ReportStore;
  trustStore: TrustStore;
  /** Reads a structured file's `ca` (a path, or an s3:// object in the functions); default: local files only. */
  readCa?: ReadCa;
  /** One structured line per event. */
  log: (entry: LogEntry) => void;
  now?: () => Date;
  /** Asked before each target; false leaves the rest of the batch not checked (a deadline is near). */
  shouldStart?: () => boolean;
  /** Called with each report once it is kept (metrics, progress). */
  onReport?: (report: Report) => void;
}

/** Checks a batch's targets and returns what it found; never throws for a target's sake. */
export async function checkBatch(batch: BatchMessage, deps: BatchDeps): Promise<BatchResult> {
  const now = deps.now ?? (() => new Date());
  const result = emptyBatchResult(batch);
  // The list was checked at planning; a line that no longer parses (a changed parser) is not lost.
  const targets: Target[] = [];
  const parsed: { target: Target; pin: string | null }[] = [];
  for (const item of batch.targets) {
    try {
      const one = targetOfBatch(item);
      parsed.push(one);
      targets.push(one.target);
    } catch (err) {
      result.notChecked.push(inputOfBatch(item));
      result.errors.push((err as Error).message);
    }
  }
  // Each distinct `ca` of the batch read once; the targets of a CA that cannot be read are not
  // checked against the wrong roots: they are named, not checked.
  const trust = await buildTargetTrust(distinctCas(targets.map((t) => t.settings)), deps.trustStore, deps.readCa);
  if (trust.failures.size > 0) {
    for (const [i, target] of [...targets.entries()].reverse()) {
      const failure = target.settings?.ca && trust.failures.get(caKey(target.settings.ca));
      if (!failure) continue;
      result.notChecked.push(target.input);
      result.errors.push(`${target.input}: ${failure}`);
      targets.splice(i, 1);
      parsed.splice(i, 1);
    }
    for (const failure of trust.failures.values()) deps.log({ level: 'error', msg: 'ca not read', error: failure });
  }
  const started = new Array<boolean>(targets.length).fill(false);
  const perAddress = batch.settings.allAddresses;
  await runChecks(targets, {
    ...checkOptionsOf(batch.settings, deps.trustStore, now),
    trustStores: trust.stores,
    // A line's pinned address (`host:port @10.0.0.7`): connect there, check the name.
    resolve: pinsOf(parsed),
    collect: false,
    shouldStart: deps.shouldStart,
    onReports: async (reports, index) => {
      started[index] = true;
      for (const report of reports) {
        const kept = await keepReport(deps.store, report, perAddress);
        const { pending, error } = await decideTargetAlert({ store: deps.store, thresholds: batch.settings.thresholds, now }, report, kept);
        // The webhooks the target's `alerts:` names travel with its alert to the run's finish.
        const routes = targets[index].settings?.alerts;
        if (pending) result.alerts.push(routes ? { ...pending, routes } : pending);
        if (kept.previousError) deps.log({ level: 'warn', msg: 'previous report not read', error: kept.previousError });
        if (kept.historyError) {
          deps.log({ level: 'warn', msg: 'history rollup not kept', error: kept.historyError });
          result.errors.push(`history rollup not kept: ${kept.historyError}`);
        }
        if (error) {
          deps.log({ level: 'warn', msg: 'alert memory', error });
          result.errors.push(error);
        }
        if (kept.storeError) result.storeFailures.push({ key: reportKeys(report, perAddress).latest, error: kept.storeError });
        tally(result, report, kept.key);
        result.index.push(indexEntryOf(report, kept.key, kept.storeError ? null : reportKeys(report, perAddress).history, kept.history));
        deps.onReport?.(report);
        deps.log({
          level: kept.storeError ? 'error' : 'info',
          msg: 'checked',
          target: `${report.target.host}:${report.target.port}`,
          address: report.target.address,
          status: report.status,
          codes: report.findings.map((f) => f.code),
          daysRemaining: report.leaf?.daysRemaining ?? null,
          durationMs: report.durationMs,
          ...(kept.storeError ? { storeError: kept.storeError } : {}),
        });
      }
    },
  });
  targets.forEach((target, i) => {
    if (!started[i]) result.notChecked.push(target.input);
  });
  return result;
}

function tally(result: BatchResult, report: Report, key: string): void {
  const status: Status = report.status;
  result.reports += 1;
  result.byStatus[status] += 1;
  result.durationsMs.push(report.durationMs);
  const days = report.leaf?.daysRemaining;
  if (days !== undefined && (result.lowestDaysRemaining === null || days < result.lowestDaysRemaining)) result.lowestDaysRemaining = days;
  if (status !== 'ok') {
    result.notOk.push({ key, status, codes: report.findings.filter((f) => f.severity !== 'info').map((f) => f.code), daysRemaining: days ?? null });
  }
}
