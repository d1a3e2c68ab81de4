/** A ReportStore in a local folder, with the same layout as in object storage. */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LayoutStore, PAGE_KEY, type PageLink, StoreError } from './store';

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
    // "alerts/targets/" lists that folder; "latest/example.com_" the names in latest/ that start so.
    const folder = start.endsWith('/') ? start.slice(0, -1) : dirname(start);
    const dir = join(this.root, folder);
    const namePrefix = start.endsWith('/') ? '' : basename(start);
    try {
      return (await readdir(dir)).filter((name) => name.startsWith(namePrefix) && !name.endsWith('.tmp')).map((name) => `${folder}/${name}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreError(`cannot list ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected async remove(key: string): Promise<void> {
    const path = join(this.root, key);
    try {
      await rm(path, { force: true });
    } catch (err) {
      throw new StoreError(`cannot delete ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected async writeNew(key: string, body: string): Promise<boolean> {
    const path = join(this.root, key);
    try {
      await mkdir(dirname(path), { recursive: true });
      // 'wx' fails when the file exists: the file system decides who was first.
      await writeFile(path, body, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StoreError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  protected async writeStream(key: string, text: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const path = join(this.root, key);
    const temp = `${path}.${process.pid}-${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await pipeline(Readable.from(text, { objectMode: false }), createWriteStream(temp));
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw new StoreError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The page as a file:// URL: it is there as long as the folder is. */
  pageLink(): Promise<PageLink> {
    return Promise.resolve({ url: pathToFileURL(resolve(this.root, PAGE_KEY)).href, expiresAt: null });
  }
}
