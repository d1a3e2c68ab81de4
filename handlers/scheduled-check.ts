/**
 * The scheduled door: configuration from the environment → one run (in this process, or planned
 * and sent to the check queue) → its summary or its plan. A target list that cannot be read is
 * told to the webhooks before the function fails.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { caReaderOf, ConfigError, readRunConfig, TargetListError } from '../lib/config';
import { readTargetList } from '../lib/target-list-config';
import { alertUnreadableList, type RunOutcome, startRun } from '../lib/scheduled-run';
import type { RunSummary } from '../lib/store/store';
import { buildAlerting, buildDeps, buildQueue } from './deps';
import { publishRunMetrics, publishTargetMetrics } from './run-metrics';

export async function handler(_event?: ScheduledEvent, context?: Context): Promise<RunSummary | Extract<RunOutcome, { kind: 'fanned-out' }>> {
  const deps = buildDeps();
  if (context) deps.logger.addContext(context);
  try {
    const config = readRunConfig(process.env);
    const [store, alerting] = await Promise.all([deps.storeFor(config), buildAlerting(config.alerts)]);
    let list;
    try {
      list = await readTargetList(process.env, deps.readS3Text);
    } catch (err) {
      if (err instanceof TargetListError) await alertUnreadableList(err, { store, alerting, log: deps.log });
      throw err;
    }
    const outcome = await startRun(
      { ...config, ...list },
      {
        ...deps,
        trustStore: await deps.trustStoreFor(config),
        readCa: caReaderOf(config.s3, deps.readS3Text),
        store,
        alerting,
        queue: config.queue ? await buildQueue(config.queue) : null,
        remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
        onReport: (report) => publishTargetMetrics([report], { perTarget: config.metricsPerTarget, perAddress: config.allAddresses }),
        schedule: config.schedule,
        onRunFinished: (summary) => publishRunMetrics(summary),
      },
    );
    return outcome.kind === 'finished' ? outcome.summary : outcome;
  } catch (err) {
    deps.log({ level: 'error', msg: err instanceof ConfigError ? 'configuration refused' : 'run failed', error: (err as Error).message });
    throw err;
  }
}
