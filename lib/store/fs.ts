/** A ReportStore in a local folder, with the same layout as in object storage. */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Report } from '../report';
import { parseStoredReport, reportKeys, StoreError, type ReportStore, type RunSummary } from './store';

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

  async getLatest(key: string): Promise<Report | null> {
    const path = join(this.root, 'latest', `${key}.json`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    return parseStoredReport(text, path);
  }

  async listLatest(start: string): Promise<string[]> {
    const dir = join(this.root, 'latest');
    try {
      return (await readdir(dir)).filter((name) => name.startsWith(start) && name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot list ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
