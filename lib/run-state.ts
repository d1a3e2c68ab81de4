/**
 * The data one run passes between its steps (plan → check batches → finish), as plain JSON: it
 * travels on the queue and rests in the store (`run-state/<runId>/`), so every step can run in
 * another process, and a retried step finds what the first attempt left.
 */
import type { PendingAlert } from './alerts/alert-run';
import type { ConfigAlertMemory, ConfigProblem } from './alerts/config-alert';
import { DEFAULT_CHECK_OPTIONS } from './check';
import type { JobConfig } from './config';
import type { IndexEntry } from './fleet-index';
import type { Status } from './report';
import type { RunOptions } from './run';
import type { NotOkTarget, RunSummary, SkippedTarget } from './store/store';
import type { TrustStore } from './x509/trust-store';
import { parseTarget, type Target } from './target';
import { parseListTarget, withSettings } from './target-list';
import type { TargetSettings } from './target-settings';

function isBatchTarget(item: unknown): item is BatchTarget {
  if (typeof item === 'string') return true;
  const { target, settings } = (item ?? {}) as { target?: unknown; settings?: unknown };
  return typeof target === 'string' && typeof settings === 'object' && settings !== null && !Array.isArray(settings);
}

/** The settings every batch of a run is checked with (decided once, at planning). */
export interface RunSettings {
  timeoutMs: number;
  warnDays: number;
  criticalDays: number;
  allAddresses: boolean;
  ipv6: boolean;
  /** Targets checked at once within a batch. */
  concurrency: number;
  thresholds: number[];
}

/** What a run's configuration alerts will remember, depending on whether the message goes out. */
export interface ConfigAlertPlan {
  tell: ConfigProblem[];
  before: ConfigAlertMemory | null;
  memoryIfTold: ConfigAlertMemory;
  memoryIfNotTold: ConfigAlertMemory;
}

/** A run as planned (`run-state/<runId>/plan.json`). */
export interface RunPlan {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  /** Targets in the list (the good lines). */
  targets: number;
  /** How many batch results complete the run. */
  batches: number;
  skipped: SkippedTarget[];
  configAlerts: ConfigAlertPlan | null;
  settings: RunSettings;
  /** What went wrong while planning, in words (an unreadable memory, say). */
  errors: string[];
}

/**
 * A target as it travels in a batch: the line as written in a plain list, or a structured file's
 * target with its settings (plain JSON), so a worker checks it exactly as the file says.
 */
export type BatchTarget = string | { target: string; settings: TargetSettings };

/** The batch form of a listed target: its input alone when it has no settings. */
export function batchTargetOf(target: Target): BatchTarget {
  return target.settings === undefined ? target.input : { target: target.input, settings: target.settings };
}

/** The target a batch carries, parsed again (a plain line's pin stays in `pin`); throws TargetError. */
export function targetOfBatch(item: BatchTarget): { target: Target; pin: string | null } {
  if (typeof item === 'string') return parseListTarget(item);
  return { target: withSettings(parseTarget(item.target), item.settings), pin: null };
}

/** What a person reads of a batch target: the target as written. */
export function inputOfBatch(item: BatchTarget): string {
  return typeof item === 'string' ? item : item.target;
}

/** One message on the check queue: a batch of targets, as written in the list. */
export interface BatchMessage {
  schemaVersion: 1;
  runId: string;
  batch: number;
  targets: BatchTarget[];
  settings: RunSettings;
}

/** What checking one batch found (`run-state/<runId>/batch-<n>.json`). */
export interface BatchResult {
  schemaVersion: 1;
  runId: string;
  batch: number;
  targets: number;
  reports: number;
  byStatus: Record<Status, number>;
  durationsMs: number[];
  lowestDaysRemaining: number | null;
  notOk: NotOkTarget[];
  storeFailures: RunSummary['storeFailures'];
  notChecked: string[];
  /** Alerts waiting for the run's message. */
  alerts: PendingAlert[];
  /** One index entry per report. */
  index: IndexEntry[];
  errors: string[];
}

/** A batch's result before anything is checked: nothing found yet. */
export function emptyBatchResult(message: BatchMessage): BatchResult {
  return {
    schemaVersion: 1,
    runId: message.runId,
    batch: message.batch,
    targets: message.targets.length,
    reports: 0,
    byStatus: { ok: 0, warning: 0, critical: 0, unknown: 0 },
    durationsMs: [],
    lowestDaysRemaining: null,
    notOk: [],
    storeFailures: [],
    notChecked: [],
    alerts: [],
    index: [],
    errors: [],
  };
}

/** A run's id: its start time, with `:` written as `-` (keys without colons). */
export function runIdOf(startedAt: Date): string {
  return startedAt.toISOString().replace(/:/g, '-');
}

/** The state name of batch `n` (sorts in order). */
export function batchName(n: number): string {
  return `batch-${String(n).padStart(6, '0')}`;
}

export function settingsOf(config: JobConfig): RunSettings {
  return {
    timeoutMs: config.timeoutMs,
    warnDays: config.warnDays,
    criticalDays: config.criticalDays,
    allAddresses: config.allAddresses,
    ipv6: config.ipv6,
    concurrency: config.concurrency,
    thresholds: config.alerts.thresholds,
  };
}

/** The check options a batch runs with: the run's settings, the process's trust store and clock. */
export function checkOptionsOf(settings: RunSettings, trustStore: TrustStore, now: () => Date): Omit<RunOptions, 'onReports'> {
  return {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: settings.timeoutMs,
    warnDays: settings.warnDays,
    criticalDays: settings.criticalDays,
    allAddresses: settings.allAddresses,
    ipv6: settings.ipv6,
    concurrency: settings.concurrency,
    trustStore,
    now,
  };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** A queue message's body as a batch; an Error saying what is wrong with anything else. */
export function parseBatchMessage(body: string): BatchMessage {
  let value: Partial<BatchMessage>;
  try {
    value = JSON.parse(body) as Partial<BatchMessage>;
  } catch (err) {
    throw new Error(`not a batch of targets: ${(err as Error).message}`, { cause: err });
  }
  const s = value?.settings;
  const problem =
    value?.schemaVersion !== 1
      ? 'schemaVersion is not 1'
      : typeof value.runId !== 'string' || !/^[0-9A-Za-z.-]+$/.test(value.runId)
        ? 'no run id'
        : !isCount(value.batch)
          ? 'no batch number'
          : !Array.isArray(value.targets) || !value.targets.every(isBatchTarget)
            ? 'no list of targets'
            : typeof s !== 'object' || s === null || ![s.timeoutMs, s.warnDays, s.criticalDays, s.concurrency].every(isCount) || !Array.isArray(s.thresholds)
              ? 'no settings'
              : null;
  if (problem) throw new Error(`not a batch of targets: ${problem}`);
  return value as BatchMessage;
}
