/**
 * One scheduled run in this process: plan, check, finish. With a check queue, a list longer than
 * one batch is fanned out instead (the queue's workers check and finish it), and a run that nears
 * the Lambda deadline stops taking targets and hands the rest to the queue; without one, the rest
 * is recorded as not checked and told, and the run finishes in time.
 */
import { sendRunAlerts } from './alerts/alert-run';
import { type ConfigAlertMemory, decideConfigAlerts } from './alerts/config-alert';
import type { WebhookPoster } from './alerts/deliver';
import { configItem } from './alerts/message';
import { RoutedAlerts } from './alerts/routing';
import type { Webhook } from './alerts/webhooks';
import type { BatchQueue } from './check-queue';
import type { JobConfig, TargetListError } from './config';
import { fanOut, type FanOutDeps } from './fan-out';
import type { LogEntry } from './log';
import type { Report } from './report';
import { checkBatch } from './run-batch';
import { finishRun } from './run-finish';
import { planRun } from './run-plan';
import { batchName, batchTargetOf, inputOfBatch, type RunSettings } from './run-state';
import type { ReportStore, RunSummary } from './store/store';
import type { ReadCa } from './target-trust';
import type { TrustStore } from './x509/trust-store';

export interface RunDeps {
  store: ReportStore;
  trustStore: TrustStore;
  /** Reads a structured file's `ca` (default: local files only). */
  readCa?: ReadCa;
  /** One structured line per event. */
  log: (entry: LogEntry) => void;
  now?: () => Date;
  /** Where alerts go (absent: none); `errors` says why configured webhooks are not in the list. */
  alerting?: { webhooks: readonly Webhook[]; errors: readonly string[]; poster: WebhookPoster };
  /** The check queue (absent: every step here). */
  queue?: BatchQueue | null;
  /** How long the process may still run (Lambda's getRemainingTimeInMillis); absent: no deadline. */
  remainingMs?: () => number;
  onReport?: (report: Report) => void;
  /** The run's schedule, for the status page's "next run". */
  schedule?: string | null;
  onRunFinished?: (summary: RunSummary) => void | Promise<void>;
}

/** How a run ended in this process: finished here, or handed to the queue's workers. */
export type RunOutcome = { kind: 'finished'; summary: RunSummary } | { kind: 'fanned-out'; runId: string; batches: number; handedOver: number };

/**
 * The time kept back from the deadline: checks already started finish (a check's connections,
 * resumption probes and revocation fetches each wait at most the timeout), then alerts go out
 * (three attempts of 10 s) and the summary is stored.
 */
export function deadlineMarginMs(settings: Pick<RunSettings, 'timeoutMs'>): number {
  return 4 * settings.timeoutMs + 45_000;
}

function fanOutDeps(deps: RunDeps, queue: BatchQueue): FanOutDeps {
  const alerting = deps.alerting;
  return { ...deps, queue, alerting: () => Promise.resolve(alerting) };
}

/** Runs the configured checks: in this process, or planned and sent to the queue. */
export async function startRun(config: JobConfig, deps: RunDeps): Promise<RunOutcome> {
  const plan = await planRun(config, deps);
  const inputs = config.targets.map(batchTargetOf);
  const queue = deps.queue ?? null;
  if (queue && inputs.length > config.batchSize) {
    await fanOut(plan, inputs, config.batchSize, 0, fanOutDeps(deps, queue));
    return { kind: 'fanned-out', runId: plan.runId, batches: plan.batches, handedOver: inputs.length };
  }
  const margin = deadlineMarginMs(plan.settings);
  const remainingMs = deps.remainingMs;
  const result = await checkBatch(
    { schemaVersion: 1, runId: plan.runId, batch: 0, targets: inputs, settings: plan.settings },
    { ...deps, shouldStart: remainingMs ? () => remainingMs() > margin : undefined },
  );
  if (result.notChecked.length > 0) {
    deps.log({ level: 'warn', msg: 'deadline near: targets left', targets: result.notChecked.length, handedToQueue: queue !== null });
    if (queue) {
      // The targets left, with their settings (the result names them by their input).
      const byInput = new Map(inputs.map((item) => [inputOfBatch(item), item]));
      const rest = result.notChecked.map((input) => byInput.get(input) ?? input);
      try {
        await deps.store.putRunState(plan.runId, batchName(0), { ...result, notChecked: [] });
        await fanOut(plan, rest, config.batchSize, 1, fanOutDeps(deps, queue));
        return { kind: 'fanned-out', runId: plan.runId, batches: plan.batches, handedOver: rest.length };
      } catch (err) {
        // No hand-over without a stored plan: finish here, telling what was not checked.
        deps.log({ level: 'error', msg: 'hand-over to the queue failed', error: (err as Error).message });
        plan.batches = 1;
        plan.errors.push(`hand-over to the queue failed: ${(err as Error).message}`);
      }
    }
  }
  return { kind: 'finished', summary: await finishRun(plan, () => [result], deps) };
}

/** Runs the configured checks once in this process and returns the summary it stored. */
export async function runScheduled(config: JobConfig, deps: Omit<RunDeps, 'queue'>): Promise<RunSummary> {
  const outcome = await startRun(config, { ...deps, queue: null });
  if (outcome.kind !== 'finished') throw new Error('a run without a queue always finishes here');
  return outcome.summary;
}

/**
 * Tells that the target list cannot be read (nothing is checked): once, then again each day
 * while it lasts, remembered with the other configuration alerts. Never throws.
 */
export async function alertUnreadableList(error: TargetListError, deps: Pick<RunDeps, 'store' | 'alerting' | 'log' | 'now'>): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const alerting = deps.alerting;
  if (!alerting?.webhooks.length) return;
  let before: ConfigAlertMemory | null = null;
  try {
    before = await deps.store.getConfigAlertMemory();
  } catch (err) {
    deps.log({ level: 'warn', msg: 'configuration alert memory not read', error: (err as Error).message });
  }
  const decision = decideConfigAlerts([{ kind: 'unreadable-list', where: error.list, entry: null, reason: error.message }], before, now);
  if (decision.tell.length === 0) return;
  // The bad lines told before stay remembered while the list cannot be read.
  const keep = (m: ConfigAlertMemory): ConfigAlertMemory => ({ schemaVersion: 1, told: { ...before?.told, ...m.told } });
  const collector = new RoutedAlerts(alerting.webhooks);
  for (const problem of decision.tell) collector.add(configItem(problem, now));
  const sent = await sendRunAlerts(
    { store: deps.store, webhooks: alerting.webhooks, poster: alerting.poster, now: () => now },
    collector,
    () => [],
    { before, memoryIfTold: keep(decision.memoryIfTold), memoryIfNotTold: keep(decision.memoryIfNotTold) },
    [...alerting.errors],
  );
  for (const delivery of sent.deliveries) deps.log({ level: delivery.ok ? 'info' : 'error', msg: delivery.ok ? 'alert sent' : 'alert not delivered', ...delivery });
}
