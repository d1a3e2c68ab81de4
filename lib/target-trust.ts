/**
 * The trust stores of a structured targets file's `ca` settings: one per distinct file and mode,
 * read once (however many targets name it) and added to the run's trust, or trusted alone.
 */
import { readFile } from 'node:fs/promises';
import { type CaSetting, caKey } from './target-settings';
import { TrustStore } from './x509/trust-store';

/** Reads a CA file's PEM text: a path, or an `s3://` object where the caller can read S3. */
export type ReadCa = (file: string) => Promise<string>;

/** Local files only: an `s3://` CA needs the functions' reader. */
export const readLocalCa: ReadCa = (file) => (file.startsWith('s3://') ? Promise.reject(new Error('no S3 reader was given for an s3:// CA')) : readFile(file, 'utf8'));

/** The stores built, by caKey, and for each CA that could not be read, why (its targets are then not checked). */
export interface TargetTrust {
  stores: Map<string, TrustStore>;
  failures: Map<string, string>;
}

/** Builds the store of each distinct CA setting at once; never throws (a failure is named by its CA). */
export async function buildTargetTrust(cas: readonly CaSetting[], runTrust: TrustStore, read: ReadCa = readLocalCa): Promise<TargetTrust> {
  const trust: TargetTrust = { stores: new Map(), failures: new Map() };
  await Promise.all(
    cas.map(async (ca) => {
      try {
        const custom = TrustStore.fromPemText(await read(ca.file), ca.file);
        trust.stores.set(caKey(ca), ca.mode === 'replace' ? custom : runTrust.plus(custom, `${runTrust.source} and ${custom.source}`));
      } catch (err) {
        trust.failures.set(caKey(ca), `ca ${ca.file} cannot be used: ${(err as Error).message}`);
      }
    }),
  );
  return trust;
}
