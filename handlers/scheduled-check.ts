/** The scheduled door: configuration from the environment → one run (checks, reports, alerts) → its summary. */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ConfigError, readJobConfig } from '../lib/config';
import { runScheduled } from '../lib/scheduled-run';
import type { RunSummary } from '../lib/store/store';
import { buildAlerting, buildDeps } from './deps';

export async function handler(_event?: ScheduledEvent, context?: Context): Promise<RunSummary> {
  const deps = buildDeps();
  if (context) deps.logger.addContext(context);
  try {
    const config = await readJobConfig(process.env, deps.readS3Text);
    const [store, alerting] = await Promise.all([deps.storeFor(config), buildAlerting(config.alerts)]);
    return await runScheduled(config, { ...deps, store, alerting });
  } catch (err) {
    deps.log({ level: 'error', msg: err instanceof ConfigError ? 'configuration refused' : 'run failed', error: (err as Error).message });
    throw err;
  }
}
