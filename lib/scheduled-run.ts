/**
 * One scheduled run: check every target, store each report as soon as it exists (a crash
 * later loses nothing stored), retry a failed store once, send the alerts (after every report
 * is stored), then write the run summary.
 */
import { AlertRun } from './alerts/alert-run';
import type { WebhookPoster } from './alerts/deliver';
import type { Webhook } from './alerts/webhooks';
import { DEFAULT_CHECK_OPTIONS } from './check';
import type { JobConfig } from './config';
import type { LogEntry } from './log';
import { type Report, STATUS_RANK } from './report';
import { runChecks } from './run';
import { keepReport } from './store/keep';
import { type AlertRunSummary, type NotOkTarget, reportKeys, type ReportStore, type RunSummary } from './store/store';
import type { TrustStore } from './x509/trust-store';

export interface RunDeps {
  store: ReportStore;
  trustStore: TrustStore;
  /** One structured line per event. */
  log: (entry: LogEntry) => void;
  now?: () => Date;
  /** Where alerts go (absent: none); `errors` says why configured webhooks are not in the list. */
  alerting?: { webhooks: readonly Webhook[]; errors: readonly string[]; poster: WebhookPoster };
}

function durationsOf(reports: readonly Report[]): RunSummary['reportDurationMs'] {
  const sorted = reports.map((r) => r.durationMs).sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** Worst status first, then fewest days left, then by key. */
function worstFirst(a: NotOkTarget, b: NotOkTarget): number {
  return STATUS_RANK[b.status] - STATUS_RANK[a.status] || (a.daysRemaining ?? Infinity) - (b.daysRemaining ?? Infinity) || a.key.localeCompare(b.key);
}

/** Runs the configured checks once and returns the summary it stored. */
export async function runScheduled(config: JobConfig, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const startedMs = performance.now();
  const storeFailures: RunSummary['storeFailures'] = [];
  const notOk: NotOkTarget[] = [];
  const alerting = deps.alerting;
  const alertRun = alerting?.webhooks.length
    ? await AlertRun.open({ store: deps.store, webhooks: alerting.webhooks, poster: alerting.poster, thresholds: config.alerts.thresholds, now }, alerting.errors)
    : null;
  for (const skip of config.skipped) deps.log({ level: 'error', msg: 'target skipped', ...skip });
  const reports = await runChecks(config.targets, {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: config.timeoutMs,
    warnDays: config.warnDays,
    criticalDays: config.criticalDays,
    allAddresses: config.allAddresses,
    ipv6: config.ipv6,
    concurrency: config.concurrency,
    trustStore: deps.trustStore,
    now,
    onReports: async (batch) => {
      for (const report of batch) {
        const kept = await keepReport(deps.store, report, config.allAddresses);
        const error = kept.storeError;
        if (error) storeFailures.push({ key: reportKeys(report, config.allAddresses).latest, error });
        if (kept.previousError) deps.log({ level: 'warn', msg: 'previous report not read', error: kept.previousError });
        alertRun?.consider(report, kept);
        if (report.status !== 'ok') notOk.push({ key: kept.key, status: report.status, codes: report.findings.filter((f) => f.severity !== 'info').map((f) => f.code), daysRemaining: report.leaf?.daysRemaining ?? null });
        deps.log({
          level: error ? 'error' : 'info',
          msg: 'checked',
          target: `${report.target.host}:${report.target.port}`,
          address: report.target.address,
          status: report.status,
          codes: report.findings.map((f) => f.code),
          daysRemaining: report.leaf?.daysRemaining ?? null,
          durationMs: report.durationMs,
          ...(error ? { storeError: error } : {}),
        });
      }
    },
  });
  let alerts: AlertRunSummary | undefined;
  if (alertRun) alerts = await alertRun.send();
  else if (alerting?.errors.length) alerts = { targets: 0, deliveries: [], errors: [...alerting.errors] };
  for (const delivery of alerts?.deliveries ?? []) {
    deps.log({ level: delivery.ok ? 'info' : 'error', msg: delivery.ok ? 'alert sent' : 'alert not delivered', ...delivery });
  }
  for (const error of alerts?.errors ?? []) deps.log({ level: 'error', msg: 'alerts', error });
  const byStatus: Record<string, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const report of reports) byStatus[report.status] += 1;
  const summary: RunSummary = {
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    durationMs: Math.round(performance.now() - startedMs),
    targets: config.targets.length,
    reports: reports.length,
    byStatus,
    reportDurationMs: durationsOf(reports),
    notOk: notOk.sort(worstFirst),
    lowestDaysRemaining: reports.reduce<number | null>((low, r) => (r.leaf && (low === null || r.leaf.daysRemaining < low) ? r.leaf.daysRemaining : low), null),
    storeFailures,
    notChecked: [],
    skipped: config.skipped,
    ...(alerts ? { alerts } : {}),
  };
  try {
    await deps.store.putRunSummary(summary);
  } catch (err) {
    deps.log({ level: 'error', msg: 'run summary not stored', error: (err as Error).message });
  }
  deps.log({
    level: 'info',
    msg: 'run finished',
    ...summary,
    notOk: notOk.length,
    storeFailures: storeFailures.length,
    skipped: config.skipped.length,
    ...(alerts ? { alerts: { targets: alerts.targets, delivered: alerts.deliveries.filter((d) => d.ok).length, failed: alerts.deliveries.filter((d) => !d.ok).length } } : {}),
    location: deps.store.location,
  });
  return summary;
}
