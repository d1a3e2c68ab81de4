/**
 * One scheduled run: check every target, store each report as soon as it exists (a crash
 * later loses nothing stored), retry a failed store once, then write the run summary.
 */
import { DEFAULT_CHECK_OPTIONS } from './check';
import type { JobConfig } from './config';
import type { LogEntry } from './log';
import type { Report } from './report';
import { runChecks } from './run';
import { reportKeys, type ReportStore, type RunSummary } from './store/store';
import type { TrustStore } from './x509/trust-store';

export interface RunDeps {
  store: ReportStore;
  trustStore: TrustStore;
  /** One structured line per event. */
  log: (entry: LogEntry) => void;
  now?: () => Date;
}

const STORE_ATTEMPTS = 2;

async function storeWithRetry(store: ReportStore, report: Report, perAddress: boolean): Promise<string | null> {
  let last: unknown;
  for (let attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
    try {
      await store.putReport(report, { perAddress });
      return null;
    } catch (err) {
      last = err;
    }
  }
  return (last as Error).message;
}

function durationsOf(reports: readonly Report[]): RunSummary['reportDurationMs'] {
  const sorted = reports.map((r) => r.durationMs).sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** Runs the configured checks once and returns the summary it stored. */
export async function runScheduled(config: JobConfig, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const startedMs = performance.now();
  const storeFailures: RunSummary['storeFailures'] = [];
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
        const error = await storeWithRetry(deps.store, report, config.allAddresses);
        if (error) storeFailures.push({ key: reportKeys(report, config.allAddresses).latest, error });
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
    storeFailures,
  };
  try {
    await deps.store.putRunSummary(summary);
  } catch (err) {
    deps.log({ level: 'error', msg: 'run summary not stored', error: (err as Error).message });
  }
  deps.log({ level: 'info', msg: 'run finished', ...summary, storeFailures: storeFailures.length, location: deps.store.location });
  return summary;
}
