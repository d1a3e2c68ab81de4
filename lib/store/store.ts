/** Where reports go: the contract's layout, whatever the medium. */
import type { Report } from '../report';
import { targetKey } from '../target';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** One scheduled run, as stored under `runs/`. */
export interface RunSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  targets: number;
  reports: number;
  byStatus: Record<string, number>;
  storeFailures: { key: string; error: string }[];
}

export interface ReportStore {
  /** Keeps the report under `reports/` and as the target's `latest/`. */
  putReport(report: Report, opts: { perAddress: boolean }): Promise<void>;
  putRunSummary(summary: RunSummary): Promise<void>;
  /** Where the store writes, for people ("./reports", "s3://bucket/prefix"). */
  readonly location: string;
}

/** The key of a report's target, with the address when a name's addresses are checked one by one. */
export function reportTargetKey(report: Report, perAddress: boolean): string {
  const { host, port, servername, address } = report.target;
  return targetKey(host, port, perAddress && servername !== null && address !== null ? address : undefined);
}

/** The contract's keys for one report, relative to the store's prefix. */
export function reportKeys(report: Report, perAddress: boolean): { history: string; latest: string } {
  const key = reportTargetKey(report, perAddress);
  return {
    history: `reports/${key}/${report.checkedAt.slice(0, 10)}/${report.checkedAt}.json`,
    latest: `latest/${key}.json`,
  };
}
