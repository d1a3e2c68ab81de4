/**
 * The run's CloudWatch metrics, in Embedded Metric Format through Powertools Metrics: JSON lines
 * on stdout that CloudWatch Logs turns into metrics, so a run makes no API call for them and
 * never waits on one. A module apart that only the scheduled run and its workers import, so that
 * httpCheck's bundle does not carry Powertools Metrics.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Report, Status } from '../lib/report';
import { reportTargetKey, type RunSummary } from '../lib/store/store';

/** The metric each status's count goes to. */
const STATUS_METRICS: Record<Status, string> = {
  ok: 'TargetsOk',
  warning: 'TargetsWarning',
  critical: 'TargetsCritical',
  unknown: 'TargetsUnknown',
};

/**
 * A Metrics instance in the namespace and with the `service` dimension that serverless.yml's
 * alarms read (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`, both `certcheck`
 * unless set), so that a run outside Lambda emits the same metrics as one inside.
 */
export function makeRunMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || 'certcheck',
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'certcheck',
  });
}

/**
 * Emits one finished run's metrics as one EMF document. Call it once per run, where the run is
 * finished (after its summary is written): `RunsFinished` is what the dead man's switch counts.
 *
 * RunsFinished (1), TargetsOk / TargetsWarning / TargetsCritical / TargetsUnknown (reports per
 * status), LowestDaysRemaining (only when a certificate was seen), StoreFailures,
 * FailedDeliveries (webhook messages no attempt delivered), SkippedLines, NotChecked: counts;
 * RunDuration: milliseconds.
 */
export function publishRunMetrics(summary: RunSummary, metrics: Metrics = makeRunMetrics()): void {
  metrics.addMetric('RunsFinished', MetricUnit.Count, 1);
  for (const [status, name] of Object.entries(STATUS_METRICS)) metrics.addMetric(name, MetricUnit.Count, summary.byStatus[status] ?? 0);
  // Without any certificate there is no number to give, and a 0 would read as "expires today".
  if (summary.lowestDaysRemaining !== null) metrics.addMetric('LowestDaysRemaining', MetricUnit.NoUnit, summary.lowestDaysRemaining);
  metrics.addMetric('StoreFailures', MetricUnit.Count, summary.storeFailures.length);
  metrics.addMetric('FailedDeliveries', MetricUnit.Count, (summary.alerts?.deliveries ?? []).filter((d) => !d.ok).length);
  metrics.addMetric('SkippedLines', MetricUnit.Count, summary.skipped.length);
  metrics.addMetric('NotChecked', MetricUnit.Count, summary.notChecked.length);
  metrics.addMetric('RunDuration', MetricUnit.Milliseconds, summary.durationMs);
  metrics.publishStoredMetrics();
}

/** What {@link publishTargetMetrics} is told. */
export interface TargetMetricsOptions {
  /** `METRICS_PER_TARGET` (JobConfig.metricsPerTarget): without it nothing is emitted. */
  perTarget: boolean;
  /** Whether a name's addresses were checked one by one: the `target` dimension is then the per-address key. */
  perAddress: boolean;
}

/**
 * Emits `DaysRemaining` for each report with a certificate, with a `target` dimension (the
 * report's key under `latest/`), when the deployment asked for per-target metrics. Each distinct
 * target is a custom metric of its own, billed monthly, hence off by default. Call it with the
 * reports a batch (or a one-process run) has just made.
 */
export function publishTargetMetrics(reports: readonly Report[], opts: TargetMetricsOptions, metrics: Metrics = makeRunMetrics()): void {
  if (!opts.perTarget) return;
  for (const report of reports) {
    if (!report.leaf) continue;
    // One EMF document holds one set of dimension values: one document per target.
    const single = metrics.singleMetric();
    single.addDimension('target', reportTargetKey(report, opts.perAddress));
    single.addMetric('DaysRemaining', MetricUnit.NoUnit, report.leaf.daysRemaining);
  }
}
