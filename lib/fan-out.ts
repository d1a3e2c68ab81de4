/**
 * A run fanned out over the check queue: the plan is stored and the list sent in batches; each
 * worker checks its batch (once: a retried or repeated message finds the batch's result and
 * does not check again) and stores the batch's result; the worker whose result completes the
 * run claims its finish with a create-only write, so exactly one summary and one message per
 * webhook go out, whatever retries and races happen. A claim whose worker died is taken over
 * once it is stale; a finished run (its summary stored) is never finished again.
 */
import { randomUUID } from 'node:crypto';
import type { BatchQueue } from './check-queue';
import { type BatchDeps, checkBatch } from './run-batch';
import { type FinishDeps, finishRun } from './run-finish';
import { type BatchMessage, batchName, type BatchResult, type BatchTarget, emptyBatchResult, inputOfBatch, type RunPlan } from './run-state';
import type { ReportStore, RunSummary } from './store/store';

/** The result stored for a batch the queue did not take: every target not checked. */
function refusedBatch(message: BatchMessage, error: string): BatchResult {
  return { ...emptyBatchResult(message), notChecked: message.targets.map(inputOfBatch), errors: [`batch ${message.batch} not sent to the check queue: ${error}`] };
}

export interface FanOutDeps extends Omit<FinishDeps, 'alerting'> {
  queue: BatchQueue;
  /** Where alerts go, should the planner have to finish the run itself. */
  alerting?: () => Promise<FinishDeps['alerting']>;
}

/**
 * Splits `inputs` into batches numbered from `first`, stores the plan (with the new batch count)
 * and sends the batches. A batch the queue refuses is stored as not checked, so the run still
 * completes and its summary names those targets: when the queue refused batches, the planner
 * finishes the run itself should it be complete (no worker may come by after the refusals are
 * stored). Throws only when the plan cannot be stored.
 */
export async function fanOut(plan: RunPlan, inputs: readonly BatchTarget[], batchSize: number, first: number, deps: FanOutDeps): Promise<number> {
  const messages: BatchMessage[] = splitBatches(inputs, batchSize).map((targets, i) => ({ schemaVersion: 1, runId: plan.runId, batch: first + i, targets, settings: plan.settings }));
  plan.batches = first + messages.length;
  await deps.store.putRunState(plan.runId, 'plan', plan);
  const { failed, error } = await deps.queue.send(messages);
  for (const batch of failed) {
    const message = messages[batch - first];
    deps.log({ level: 'error', msg: 'batch not sent', runId: plan.runId, batch, targets: message.targets.length, error });
    await deps.store.putRunState(plan.runId, batchName(batch), refusedBatch(message, error ?? 'refused'));
  }
  deps.log({ level: 'info', msg: 'run planned', runId: plan.runId, targets: plan.targets, batches: plan.batches, sent: messages.length - failed.length });
  if (failed.length > 0) await finishIfComplete(plan.runId, PLANNER, deps);
  return messages.length - failed.length;
}

/**
 * The targets of a message's body at most: one SQS message is at most 256 KB, and targets with
 * settings (labels, CA paths) are longer than plain lines; the rest is the message's own fields.
 */
export const MESSAGE_TARGET_BYTES = 200_000;

/** Splits the targets into batches of at most `batchSize` targets and MESSAGE_TARGET_BYTES bytes of JSON each. */
export function splitBatches(inputs: readonly BatchTarget[], batchSize: number, maxBytes = MESSAGE_TARGET_BYTES): BatchTarget[][] {
  const batches: BatchTarget[][] = [];
  let batch: BatchTarget[] = [];
  let bytes = 0;
  for (const item of inputs) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (batch.length === batchSize || (batch.length > 0 && bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export interface WorkerDeps extends BatchDeps, Omit<FinishDeps, 'alerting'> {
  /** Where alerts go, read only by the worker that finishes (the webhook list may be a secret to fetch). */
  alerting?: () => Promise<FinishDeps['alerting']>;
}

/** What a worker did with one message: checked it (or found it done), finished the run, and how long the finish took. */
export type WorkerOutcome = { checked: boolean; finished: RunSummary | null; finishMs: number | null };

/**
 * One queue message: check the batch (unless its result is already stored), store the result,
 * and finish the run when this batch completes it. Throws when the result cannot be stored or
 * the plan cannot be read, so that the queue delivers the message again.
 */
export async function runBatchMessage(message: BatchMessage, deps: WorkerDeps): Promise<WorkerOutcome> {
  const { runId, batch } = message;
  const name = batchName(batch);
  let checked = false;
  if ((await deps.store.getRunState<BatchResult>(runId, name)) === null) {
    const result = await checkBatch(message, deps);
    await deps.store.putRunState(runId, name, result);
    checked = true;
  } else {
    deps.log({ level: 'info', msg: 'batch already checked', runId, batch });
  }
  const started = performance.now();
  const finished = await finishIfComplete(runId, batch, deps);
  return { checked, finished, finishMs: finished ? Math.round(performance.now() - started) : null };
}

/** Who claims a finish when the planner does (not a batch). */
const PLANNER = -1;

/** Finishes the run when every batch's result is stored and this batch (or the planner) wins the claim. */
async function finishIfComplete(runId: string, batch: number, deps: Omit<FinishDeps, 'alerting'> & { alerting?: () => Promise<FinishDeps['alerting']> }): Promise<RunSummary | null> {
  const plan = await deps.store.getRunState<RunPlan>(runId, 'plan');
  if (plan === null) throw new Error(`run ${runId} has no plan in ${deps.store.location}`);
  const done = await deps.store.listRunState(runId, 'batch-');
  if (done.length < plan.batches) return null;
  if (!(await claimFinish(deps.store, runId, batch, deps.now ?? (() => new Date())))) return null;
  if ((await deps.store.getRunSummary(plan.startedAt)) !== null) return null;
  const alerting = await deps.alerting?.();
  const names = done.sort();
  return finishRun(plan, () => readResults(deps.store, plan, names), { ...deps, alerting });
}

/**
 * A claim older than this belongs to a worker that died while finishing (a worker runs 5 minutes
 * at most; Lambda's limit is 15): the next worker to come by may take it over.
 */
export const STALE_CLAIM_MS = 16 * 60_000;

/**
 * Claims the run's finish with a create-only write of `finish-<n>`: exactly one worker wins each
 * claim, even two deliveries of one message at once. A stale claim (its worker died) is
 * followed by the next one, so a message redelivered after a crash still finishes the run. A
 * claim lost but not readable yet is another worker's still being written (S3 answers 409
 * meanwhile): it is left to that worker, whose message comes back should its write fail.
 */
async function claimFinish(store: ReportStore, runId: string, batch: number, now: () => Date): Promise<boolean> {
  const mine = { owner: randomUUID(), batch, claimedAt: now().toISOString() };
  for (let generation = 0; generation < 10; generation++) {
    const name = `finish-${generation}`;
    if (await store.claimRunState(runId, name, mine)) return true;
    const claim = await store.getRunState<{ claimedAt: string }>(runId, name);
    if (claim === null || now().getTime() - Date.parse(claim.claimedAt) < STALE_CLAIM_MS) return false;
  }
  return false;
}

/** Each batch's result in turn (an unreadable one is named in the summary's errors, not fatal). */
async function* readResults(store: ReportStore, plan: RunPlan, names: readonly string[]): AsyncGenerator<BatchResult> {
  for (const name of names) {
    try {
      const result = await store.getRunState<BatchResult>(plan.runId, name);
      if (result) yield result;
    } catch (err) {
      const error = `${name} not read: ${(err as Error).message}`;
      // Results are read twice (the summary, then what to remember): say it once.
      if (!plan.errors.includes(error)) plan.errors.push(error);
    }
  }
}
