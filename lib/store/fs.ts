/** A ReportStore in a local folder, with the same layout as in object storage. */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Report } from '../report';
import { reportKeys, StoreError, type ReportStore, type RunSummary } from './store';

export class FsReportStore implements ReportStore {
  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private async write(key: string, body: string): Promise<void> {
    const path = join(this.root, key);
    try {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a reader never sees half a report.
      const temp = `${path}.${process.pid}-${randomUUID()}.tmp`;
      await writeFile(temp, body);
      await rename(temp, path);
    } catch (err) {
      throw new StoreError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async putReport(report: Report, opts: { perAddress: boolean }): Promise<void> {
    const keys = reportKeys(report, opts.perAddress);
    const body = `${JSON.stringify(report, null, 2)}\n`;
    await this.write(keys.history, body);
    await this.write(keys.latest, body);
  }

  async putRunSummary(summary: RunSummary): Promise<void> {
    await this.write(`runs/${summary.startedAt}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
