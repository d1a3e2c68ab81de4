/** Builds what the doors need once per process (per cold start in Lambda). */
import type { JobConfig } from '../lib/config';
import type { RunDeps } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { TrustStore } from '../lib/x509/trust-store';

let cached: { key: string; deps: RunDeps } | undefined;

export function buildDeps(config: Pick<JobConfig, 'reportsDir'>): RunDeps {
  if (cached?.key !== config.reportsDir) {
    cached = {
      key: config.reportsDir,
      deps: {
        store: new FsReportStore(config.reportsDir),
        trustStore: TrustStore.mozilla(),
        log: (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`),
      },
    };
  }
  return cached.deps;
}
