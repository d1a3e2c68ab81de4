/**
 * The first step of a run: from the configuration, the plan (settings, the lines skipped and
 * whether to tell them), and the alert memories of targets no longer in the list forgotten.
 */
import { type ConfigProblem, decideConfigAlerts } from './alerts/config-alert';
import type { JobConfig } from './config';
import type { LogEntry } from './log';
import { type RunPlan, runIdOf, settingsOf } from './run-state';
import type { ReportStore } from './store/store';
import { targetKey } from './target';

export interface PlanDeps {
  store: ReportStore;
  log: (entry: LogEntry) => void;
  now?: () => Date;
}

/** Plans a run as one batch (the fan-out sets `batches` when it splits the list). */
export async function planRun(config: JobConfig, deps: PlanDeps): Promise<RunPlan> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const errors: string[] = [];
  for (const skip of config.skipped) deps.log({ level: 'error', msg: 'target skipped', ...skip });
  const problems: ConfigProblem[] = config.skipped.map((s) => ({ kind: 'skipped-line', where: s.where, entry: s.entry, reason: s.reason }));
  let before = null;
  try {
    before = await deps.store.getConfigAlertMemory();
  } catch (err) {
    errors.push(`configuration alert memory not read, starting afresh: ${(err as Error).message}`);
  }
  const decision = decideConfigAlerts(problems, before, started);
  const forgotten = await forgetRemovedTargets(deps.store, config, errors);
  if (forgotten > 0) deps.log({ level: 'info', msg: 'alert memory of removed targets forgotten', targets: forgotten });
  return {
    schemaVersion: 1,
    runId: runIdOf(started),
    startedAt: started.toISOString(),
    targets: config.targets.length,
    batches: 1,
    skipped: config.skipped,
    configAlerts: problems.length > 0 || before !== null ? { ...decision, before } : null,
    settings: settingsOf(config),
    errors,
  };
}

/**
 * Deletes the alert memory of every target no longer in the list (memories are kept per
 * `<host>_<port>` and per `<host>_<port>_<address>`); returns how many. Never throws.
 */
async function forgetRemovedTargets(store: ReportStore, config: JobConfig, errors: string[]): Promise<number> {
  const listed = new Set(config.targets.map((t) => targetKey(t.host, t.port, undefined, t.protocol)));
  let gone: string[];
  try {
    gone = (await store.listAlertMemories()).filter((key) => !listed.has(key) && !listed.has(key.slice(0, key.lastIndexOf('_'))));
  } catch (err) {
    errors.push(`alert memories not listed: ${(err as Error).message}`);
    return 0;
  }
  let forgotten = 0;
  for (const key of gone) {
    try {
      await store.putAlertMemory(key, null);
      forgotten += 1;
    } catch (err) {
      errors.push(`alert memory of ${key} not forgotten: ${(err as Error).message}`);
    }
  }
  return forgotten;
}
