/** A ReportStore in a local folder, with the same layout as in object storage. */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LayoutStore, StoreError } from './store';

export class FsReportStore extends LayoutStore {
  constructor(readonly root: string) {
    super();
  }

  get location(): string {
    return this.root;
  }

  protected async write(key: string, body: string): Promise<void> {
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

  protected async read(key: string): Promise<string | null> {
    const path = join(this.root, key);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected async list(start: string): Promise<string[]> {
    const folder = dirname(start);
    const dir = join(this.root, folder);
    const namePrefix = basename(start);
    try {
      return (await readdir(dir)).filter((name) => name.startsWith(namePrefix) && !name.endsWith('.tmp')).map((name) => `${folder}/${name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot list ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
