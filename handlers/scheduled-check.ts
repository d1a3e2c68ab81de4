/** The scheduled door: configuration from the environment → one run → its summary. */
import { readJobConfig } from '../lib/config';
import { runScheduled } from '../lib/scheduled-run';
import type { RunSummary } from '../lib/store/store';
import { buildDeps } from './deps';

export async function handler(): Promise<RunSummary> {
  const config = await readJobConfig(process.env);
  return runScheduled(config, buildDeps(config));
}
