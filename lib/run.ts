/** Checks many targets with bounded concurrency; results keep the input order. */
import { checkTarget, type CheckOptions } from './check';
import type { Report } from './report';
import type { Target } from './target';

export interface RunOptions extends CheckOptions {
  concurrency: number;
  /** Called as each target's reports are ready (for storing early and for progress). */
  onReports?: (reports: Report[], index: number) => void | Promise<void>;
  /** Asked before each target is started; false stops taking new ones (a deadline is near). */
  shouldStart?: () => boolean;
  /** false: hand reports only to onReports and return none (memory stays flat over a long list). */
  collect?: boolean;
}

/** Runs every target; one failing target never stops or delays the others beyond its slot. */
export async function runChecks(targets: readonly Target[], opts: RunOptions): Promise<Report[]> {
  const results: Report[][] = new Array(targets.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < targets.length) {
      if (opts.shouldStart && !opts.shouldStart()) return;
      const index = next++;
      const reports = await checkTarget(targets[index], opts);
      if (opts.collect !== false) results[index] = reports;
      if (opts.onReports) {
        try {
          await opts.onReports(reports, index);
        } catch (err) {
          // A failing callback (a full disk, say) must not stop the other checks.
          process.emitWarning(`while handling the reports of ${targets[index].input}: ${(err as Error).message}`);
        }
      }
    }
  }
  const workers = Math.max(1, Math.min(opts.concurrency, targets.length));
  await Promise.all(Array.from({ length: workers }, worker));
  // Targets never started (shouldStart said no) leave holes, which flat() skips.
  return results.flat();
}
