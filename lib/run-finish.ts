/**
 * The last step of a run: from the plan and every batch's result, one message per webhook (a
 * digest when several targets alert, with the configuration problems), what was told
 * remembered, the fleet index written, and the run summary stored and logged. Batch results are read one at a time and
 * only what the summary names is kept (they are read a second time for what to remember once
 * the message is out), so memory stays flat however long the list.
 */
import { RepeatedErrors } from './repeated-errors';
import { sendRunAlerts, type ToldTarget } from './alerts/alert-run';
import type { WebhookPoster } from './alerts/deliver';
import { alertItem, configItem } from './alerts/message';
import { RoutedAlerts } from './alerts/routing';
import type { Webhook } from './alerts/webhooks';
import { byUrgency, type IndexEntry, indexText } from './fleet-index';
import type { LogEntry } from './log';
import { StatusPageBuilder } from './status-page';
import type { BatchResult, RunPlan } from './run-state';
import { type AlertRunSummary, LINK_SECONDS, type NotOkTarget, type ReportStore, type RunSummary } from './store/store';

export interface FinishDeps {
  store: ReportStore;
  log: (entry: LogEntry) => void;
  now?: () => Date;
  /** Where alerts go (absent: none); `errors` says why configured webhooks are not in the list. */
  alerting?: { webhooks: readonly Webhook[]; errors: readonly string[]; poster: WebhookPoster };
  /** The run's schedule (`rate(1 day)`), for the status page's "next run"; null or absent: run by hand. */
  schedule?: string | null;
  /** Called once with the stored summary (metrics). */
  onRunFinished?: (summary: RunSummary) => void | Promise<void>;
}

/** The most entries of each list that the "run finished" line carries: a log event is at most 256 KB. */
export const LOGGED_LIST_ITEMS = 20;

/**
 * The summary as the "run finished" line logs it: the stored summary's fields and shapes (a
 * query over the logs reads what the stored summary says), each list cut to its first
 * LOGGED_LIST_ITEMS; `truncated` counts what each cut list left out.
 */
export function loggedSummary(summary: RunSummary): Record<string, unknown> {
  const truncated: Record<string, number> = {};
  const cut = <T>(name: string, list: readonly T[]): T[] => {
    if (list.length > LOGGED_LIST_ITEMS) truncated[name] = list.length - LOGGED_LIST_ITEMS;
    return list.slice(0, LOGGED_LIST_ITEMS);
  };
  const line: Record<string, unknown> = {
    ...summary,
    notOk: cut('notOk', summary.notOk),
    storeFailures: cut('storeFailures', summary.storeFailures),
    notChecked: cut('notChecked', summary.notChecked),
    skipped: cut('skipped', summary.skipped),
    ...(summary.alerts ? { alerts: { ...summary.alerts, errors: cut('alerts.errors', summary.alerts.errors) } } : {}),
    ...(summary.errors ? { errors: cut('errors', summary.errors) } : {}),
  };
  return Object.keys(truncated).length > 0 ? { ...line, truncated } : line;
}

function median(sorted: readonly number[]): number {
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Finishes a run: alerts, then the summary (stored, logged, returned). Never throws for a store or webhook failure. */
export async function finishRun(plan: RunPlan, results: () => AsyncIterable<BatchResult> | Iterable<BatchResult>, deps: FinishDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const byStatus: Record<string, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  const durations: number[] = [];
  const notOk: NotOkTarget[] = [];
  const storeFailures: RunSummary['storeFailures'] = [];
  const notChecked: string[] = [];
  // The batches' errors are mostly one per target (a store refusing every write): one line a kind.
  const batchErrors = new RepeatedErrors();
  const collector = new RoutedAlerts(deps.alerting?.webhooks ?? []);
  let reports = 0;
  let lowest: number | null = null;
  for await (const result of results()) {
    reports += result.reports;
    for (const [status, count] of Object.entries(result.byStatus)) byStatus[status] += count;
    durations.push(...result.durationsMs);
    if (result.lowestDaysRemaining !== null && (lowest === null || result.lowestDaysRemaining < lowest)) lowest = result.lowestDaysRemaining;
    notOk.push(...result.notOk);
    storeFailures.push(...result.storeFailures);
    notChecked.push(...result.notChecked);
    for (const error of result.errors) batchErrors.add(error);
    for (const pending of result.alerts) collector.add(alertItem(pending), pending.routes);
  }

  const alerting = deps.alerting;
  let alerts: AlertRunSummary | undefined;
  if (alerting?.webhooks.length) {
    for (const problem of plan.configAlerts?.tell ?? []) collector.add(configItem(problem, now()));
    if (notChecked.length > 0) {
      const named = notChecked.slice(0, 5).join(', ');
      const reason = `${notChecked.length} target(s) were not checked in this run (${named}${notChecked.length > 5 ? ', …' : ''}): the time ran out or the queue refused them`;
      collector.add(configItem({ kind: 'not-checked', where: 'this run', entry: null, reason }, now()));
    }
    // What was told is read again from the results once delivered, rather than held: memory stays flat.
    async function* told(): AsyncGenerator<ToldTarget> {
      for await (const result of results()) for (const pending of result.alerts) yield [pending.key, pending.memory, pending.routes];
    }
    // The message links the status page; without a link it still goes out.
    const page = collector.size === 0 ? null : await deps.store.pageLink(LINK_SECONDS).catch((err: unknown) => {
      batchErrors.add(`no link to the status page in the alert: ${(err as Error).message}`);
      return null;
    });
    alerts = await sendRunAlerts({ store: deps.store, webhooks: alerting.webhooks, poster: alerting.poster, now, page }, collector, told, plan.configAlerts, [...alerting.errors]);
  } else if (alerting?.errors.length) {
    alerts = { targets: 0, deliveries: [], errors: [...alerting.errors] };
  }
  for (const delivery of alerts?.deliveries ?? []) {
    deps.log({ level: delivery.ok ? 'info' : 'error', msg: delivery.ok ? 'alert sent' : 'alert not delivered', ...delivery });
  }
  for (const error of alerts?.errors ?? []) deps.log({ level: 'error', msg: 'alerts', error });

  // The index and the status page, from a last read of the results: the index's entries stream
  // to the store, the page keeps each row's text (its most urgent PAGE_MAX_ROWS).
  const header = { schemaVersion: 1 as const, generatedAt: now().toISOString(), runStartedAt: plan.startedAt };
  let page = new StatusPageBuilder({ header, schedule: deps.schedule ?? null });
  let pageComplete = false;
  async function* entries(): AsyncGenerator<IndexEntry> {
    for await (const result of results()) {
      for (const entry of result.index ?? []) {
        page.add(entry);
        yield entry;
      }
    }
    pageComplete = true;
  }
  try {
    await deps.store.putIndex(indexText(header, entries()));
  } catch (err) {
    batchErrors.add(`index not stored: ${(err as Error).message}`);
    deps.log({ level: 'error', msg: 'index not stored', error: (err as Error).message });
  }
  try {
    if (!pageComplete) {
      // The index was not written whole: the page reads the results on its own.
      page = new StatusPageBuilder({ header, schedule: deps.schedule ?? null });
      for await (const result of results()) for (const entry of result.index ?? []) page.add(entry);
    }
    await deps.store.putPage(page.parts());
  } catch (err) {
    batchErrors.add(`status page not stored: ${(err as Error).message}`);
    deps.log({ level: 'error', msg: 'status page not stored', error: (err as Error).message });
  }

  // Read after the results: reading them may add to the plan's errors.
  const errors = [...plan.errors, ...batchErrors.lines()];
  durations.sort((a, b) => a - b);
  const finished = now();
  const summary: RunSummary = {
    startedAt: plan.startedAt,
    finishedAt: finished.toISOString(),
    durationMs: Math.max(0, finished.getTime() - Date.parse(plan.startedAt)),
    targets: plan.targets,
    reports,
    byStatus,
    notOk: notOk.sort(byUrgency),
    lowestDaysRemaining: lowest,
    reportDurationMs: { median: median(durations), max: durations[durations.length - 1] ?? 0 },
    storeFailures,
    notChecked,
    skipped: plan.skipped,
    ...(alerts ? { alerts } : {}),
    ...(plan.batches > 1 ? { batches: plan.batches } : {}),
    ...(errors.length ? { errors } : {}),
  };
  try {
    await deps.store.putRunSummary(summary);
  } catch (err) {
    deps.log({ level: 'error', msg: 'run summary not stored', error: (err as Error).message });
  }
  deps.log({ level: notChecked.length > 0 ? 'error' : 'info', msg: 'run finished', ...loggedSummary(summary), location: deps.store.location });
  try {
    await deps.onRunFinished?.(summary);
  } catch (err) {
    deps.log({ level: 'error', msg: 'after the run', error: (err as Error).message });
  }
  return summary;
}
