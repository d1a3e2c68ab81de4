/**
 * One run's alerts: decide per report as reports are stored, then send one message per webhook
 * (a digest when several targets alert) and remember what was told. A webhook that fails is
 * reported, never thrown; what no webhook delivered is not remembered, so the next run tells it.
 */
import type { Report } from '../report';
import type { KeptReport } from '../store/keep';
import { type AlertRunSummary, type ReportStore } from '../store/store';
import { type AlertHistory, decideAlert, type TargetAlertMemory } from './decide';
import type { Delivery, WebhookPoster } from './deliver';
import { buildMessage, type StoredAlert } from './message';
import { PAYLOAD_BUILDERS, type Webhook } from './webhooks';

export interface AlertRunDeps {
  store: ReportStore;
  webhooks: readonly Webhook[];
  poster: WebhookPoster;
  thresholds: readonly number[];
  now: () => Date;
}

export class AlertRun {
  private readonly alerts: StoredAlert[] = [];
  /** Memories of targets that alerted: kept only once some webhook took the message. */
  private readonly told = new Map<string, TargetAlertMemory | null>();
  /** Memories of targets that did not alert (problems gone, or nothing new). */
  private readonly quiet = new Map<string, TargetAlertMemory | null>();

  private constructor(
    private readonly deps: AlertRunDeps,
    private readonly history: AlertHistory,
    private readonly errors: string[],
  ) {}

  /** Reads the alert history; an unreadable one is reported and started afresh (better twice told than never). */
  static async open(deps: AlertRunDeps, errors: readonly string[] = []): Promise<AlertRun> {
    const problems = [...errors];
    let history: AlertHistory | null = null;
    try {
      history = await deps.store.getAlertHistory();
    } catch (err) {
      problems.push(`alert history not read, starting afresh: ${(err as Error).message}`);
    }
    return new AlertRun(deps, history ?? { schemaVersion: 1, targets: {} }, problems);
  }

  /** Decides about one target's new report, as it was kept (its previous report, where it is stored). */
  consider(current: Report, kept: KeptReport): void {
    const { key, previous } = kept;
    const stored = kept.stored ?? `not stored (${kept.storeError})`;
    const decision = decideAlert({
      previous,
      current,
      memory: this.history.targets[key] ?? null,
      thresholds: this.deps.thresholds,
      now: this.deps.now(),
    });
    if (decision.alert) {
      this.alerts.push({ alert: decision.alert, stored });
      this.told.set(key, decision.memory);
    } else {
      this.quiet.set(key, decision.memory);
    }
  }

  /** Sends what was decided to every webhook at once, then stores the history. */
  async send(): Promise<AlertRunSummary> {
    let deliveries: Delivery[] = [];
    if (this.alerts.length > 0) {
      const message = buildMessage(this.alerts);
      deliveries = await Promise.all(this.deps.webhooks.map((webhook) => this.deps.poster.post(webhook, PAYLOAD_BUILDERS[webhook.service](message))));
    }
    const delivered = deliveries.some((d) => d.ok);
    const before = JSON.stringify(this.history);
    for (const [key, memory] of [...this.quiet, ...(delivered ? this.told : [])]) {
      if (memory) this.history.targets[key] = memory;
      else delete this.history.targets[key];
    }
    if (JSON.stringify(this.history) !== before) {
      try {
        await this.deps.store.putAlertHistory(this.history);
      } catch (err) {
        this.errors.push(`alert history not stored: ${(err as Error).message}`);
      }
    }
    return { targets: this.alerts.length, deliveries, errors: this.errors };
  }
}
