/**
 * A run's alerts, in two steps that may run in different processes: each target's decision as
 * its report is kept (its own memory under `alerts/targets/`, so no two workers write the same
 * object), then one message per webhook for the whole run (a digest when several alert), after
 * which what was told is remembered. A webhook that fails is reported, never thrown; what no
 * webhook delivered is not remembered, so the next run tells it.
 */
import { RepeatedErrors } from '../repeated-errors';
import type { Report } from '../report';
import type { KeptReport } from '../store/keep';
import { type AlertRunSummary, historyKey, LINK_SECONDS, type PageLink, type ReportStore } from '../store/store';
import type { ConfigAlertMemory, ConfigProblem } from './config-alert';
import { type Alert, decideAlert, type TargetAlertMemory } from './decide';
import type { Delivery, WebhookPoster } from './deliver';
import { alertItem, configItem } from './message';
import { RoutedAlerts } from './routing';
import { PAYLOAD_BUILDERS, type Webhook } from './webhooks';

/** A target's alert waiting for the run's message, and what to remember once it is delivered. */
export interface PendingAlert {
  key: string;
  alert: Alert;
  /** Where the report is stored (or why it is not). */
  stored: string;
  /** The report's key under the store's prefix; null when it was not stored (absent in a run state written before links). */
  reportKey?: string | null;
  /** What to remember once told; null forgets the target (it recovered). */
  memory: TargetAlertMemory | null;
  /** The webhooks a structured targets file's `alerts:` names for the target (absent: every webhook). */
  routes?: string[];
}

/** What to remember of an alerted target once the message is out, and which webhooks it went to. */
export type ToldTarget = [key: string, memory: TargetAlertMemory | null, routes?: readonly string[]];

export interface DecideDeps {
  store: ReportStore;
  thresholds: readonly number[];
  now: () => Date;
}

/**
 * Decides about one target's new report as it was kept: reads what was told of it, and when
 * there is nothing to say stores the updated memory at once; an alert waits for the message.
 * Never throws: `error` says what could not be read or written.
 */
export async function decideTargetAlert(deps: DecideDeps, current: Report, kept: KeptReport): Promise<{ pending: PendingAlert | null; error: string | null }> {
  let memory: TargetAlertMemory | null = null;
  let error: string | null = null;
  try {
    memory = await deps.store.getAlertMemory(kept.key);
  } catch (err) {
    // Better told twice than never: an unreadable memory is taken as none.
    error = `alert memory not read, starting afresh: ${(err as Error).message}`;
  }
  const decision = decideAlert({ previous: kept.previous, current, memory, thresholds: deps.thresholds, now: deps.now() });
  if (decision.alert) {
    // Remembered only once the message is delivered (a recovery forgets the target then).
    const reportKey = kept.stored === null ? null : historyKey(kept.key, current.checkedAt);
    return { pending: { key: kept.key, alert: decision.alert, stored: kept.stored ?? `not stored (${kept.storeError})`, reportKey, memory: decision.memory }, error };
  }
  if (JSON.stringify(decision.memory) !== JSON.stringify(memory)) {
    try {
      await deps.store.putAlertMemory(kept.key, decision.memory);
    } catch (err) {
      error = `alert memory not stored: ${(err as Error).message}`;
    }
  }
  return { pending: null, error };
}

export interface SendDeps {
  store: ReportStore;
  webhooks: readonly Webhook[];
  poster: WebhookPoster;
  now: () => Date;
  /** The status page, which the message links (absent or null: no link). */
  page?: PageLink | null;
}


/** Stores at most this many memories at once after a message went out (a bad day alerts about every target). */
const MEMORY_WRITES = 32;

/**
 * Sends one message for a run to every webhook at once, then remembers what was told (only when
 * some webhook took it). `told` pairs each alerted target's key with what to remember of it.
 */
export async function sendRunAlerts(
  deps: SendDeps,
  alerts: RoutedAlerts,
  /** Read only once the message is delivered (a fanned-out run reads its batches again: memory stays flat). */
  told: () => AsyncIterable<ToldTarget> | Iterable<ToldTarget>,
  config: { memoryIfTold: ConfigAlertMemory; memoryIfNotTold: ConfigAlertMemory; before: ConfigAlertMemory | null } | null,
  errors: string[],
): Promise<AlertRunSummary> {
  errors.push(...alerts.errors());
  const sign = deps.store.reportLink?.bind(deps.store);
  // Each webhook's own message: the targets routed to it (every one without `alerts:`).
  const sent = await Promise.all(
    deps.webhooks.map(async (webhook, i): Promise<Delivery | null> => {
      const collector = alerts.collector(i);
      if (sign && collector.size > 0) {
        // A link a person can click rather than an s3:// URI; without it the message still goes out.
        const failure = await collector.linkReports((key) => sign(key, LINK_SECONDS));
        if (failure && !errors.includes(`no link to the reports in the alert: ${failure}`)) errors.push(`no link to the reports in the alert: ${failure}`);
      }
      const message = collector.message(deps.page ?? null);
      return message ? deps.poster.post(webhook, PAYLOAD_BUILDERS[webhook.service](message)) : null;
    }),
  );
  const deliveries = sent.filter((d): d is Delivery => d !== null);
  const delivered = deliveries.some((d) => d.ok);
  // One line however many targets' memories a failing store refuses.
  const notStored = new RepeatedErrors();
  if (delivered) {
    const writing = new Set<Promise<void>>();
    for await (const [key, memory, routes] of told()) {
      // Remembered when a webhook it went to took it (or when it goes to none: nothing to tell).
      const receivers = alerts.receivers(routes);
      if (receivers.length > 0 && !receivers.some((i) => sent[i]?.ok === true)) continue;
      const write = deps.store.putAlertMemory(key, memory).then(
        () => undefined,
        (err: unknown) => {
          notStored.add(`alert memory not stored: ${(err as Error).message}`);
        },
      );
      writing.add(write);
      void write.finally(() => writing.delete(write));
      if (writing.size >= MEMORY_WRITES) await Promise.race(writing);
    }
    await Promise.all(writing);
    errors.push(...notStored.lines());
  }
  if (config) {
    const memory = delivered ? config.memoryIfTold : config.memoryIfNotTold;
    if (JSON.stringify(memory.told) !== JSON.stringify(config.before?.told ?? {})) {
      try {
        await deps.store.putConfigAlertMemory(memory);
      } catch (err) {
        errors.push(`configuration alert memory not stored: ${(err as Error).message}`);
      }
    }
  }
  return { targets: alerts.size, deliveries, errors };
}

/** A whole run's alerts in one process (the CLI): decide as reports are kept, then send. */
export class AlertRun {
  private readonly alerts: RoutedAlerts;
  private readonly told: ToldTarget[] = [];
  /** Each target's errors (its alert memory not read or not stored), said once a kind. */
  private readonly targetErrors = new RepeatedErrors();

  private constructor(
    private readonly deps: DecideDeps & SendDeps,
    private readonly errors: string[],
  ) {
    this.alerts = new RoutedAlerts(deps.webhooks);
  }

  static open(deps: DecideDeps & SendDeps, errors: readonly string[] = []): AlertRun {
    return new AlertRun(deps, [...errors]);
  }

  /** Decides about one target's new report, as it was kept (its previous report, where it is stored); `routes`: the webhooks its `alerts:` names. */
  async consider(current: Report, kept: KeptReport, routes?: readonly string[]): Promise<void> {
    const { pending, error } = await decideTargetAlert(this.deps, current, kept);
    if (error) this.targetErrors.add(error);
    if (pending) {
      this.alerts.add(alertItem(pending), routes);
      this.told.push([pending.key, pending.memory, routes]);
    }
  }

  /** Adds configuration problems to the message. */
  addConfig(problems: readonly ConfigProblem[]): void {
    for (const problem of problems) this.alerts.add(configItem(problem, this.deps.now()));
  }

  /** Sends what was decided to each webhook at once (its own targets), then stores what was told. */
  send(): Promise<AlertRunSummary> {
    return sendRunAlerts(this.deps, this.alerts, () => this.told, null, [...this.errors, ...this.targetErrors.lines()]);
  }
}
