/**
 * The scheduled run's target list, read from the environment (`TARGETS`, else `TARGETS_FILE`),
 * apart from the rest of the configuration: only the step that plans a run reads a list, so
 * the other functions' bundles carry no targets-file parser.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { type JobConfig, readRunConfig, type ReadS3Text, s3Location, s3Settings, type TargetList, TargetListError } from './config';
import type { S3ClientSettings } from './store/s3';
import type { SkippedTarget } from './store/store';
import { parseTargetEntries, type PlacedEntry, targetListEntries } from './target-list';
import { TargetsFileError, targetsFileEntries } from './targets-file';

async function targetEntries(env: NodeJS.ProcessEnv, s3: S3ClientSettings, readS3Text: ReadS3Text): Promise<{ entries: PlacedEntry[]; list: string }> {
  if (env.TARGETS !== undefined && env.TARGETS.trim() !== '') {
    return { entries: targetListEntries(env.TARGETS).map((entry, i) => ({ value: entry.value, where: `entry ${i + 1} of TARGETS` })), list: 'TARGETS' };
  }
  const file = env.TARGETS_FILE || 'targets.txt';
  const list = `TARGETS_FILE ${file}`;
  let text: string | null;
  try {
    text = file.startsWith('s3://') ? await readS3Text(s3, s3Location(file, 'TARGETS_FILE')) : await readFile(file, 'utf8');
  } catch (err) {
    throw new TargetListError(list, `cannot read TARGETS_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text === null) throw new TargetListError(list, `cannot read TARGETS_FILE ${file}: no such object`);
  // A structured file's relative `ca` paths point beside it: its folder, or its bucket and prefix.
  const base = file.startsWith('s3://') ? file.slice(0, file.lastIndexOf('/') + 1) : dirname(resolvePath(file));
  try {
    return { entries: targetsFileEntries(file, text, (line) => `line ${line} of ${file}`, base), list };
  } catch (err) {
    if (err instanceof TargetsFileError) throw new TargetListError(list, `TARGETS_FILE ${file}, line ${err.line}: ${err.message}`, { cause: err });
    throw err;
  }
}

const noS3: ReadS3Text = () => Promise.reject(new Error('no S3 client was given'));


/**
 * Reads the target list (`TARGETS`, else `TARGETS_FILE`; an `s3://` file through `readS3Text`,
 * at each call, so a changed list needs no deploy). A bad line never stops the run: it is
 * skipped with where it stands. A list that cannot be read or holds nothing is a {@link TargetListError}.
 */
export async function readTargetList(env: NodeJS.ProcessEnv, readS3Text: ReadS3Text = noS3): Promise<TargetList> {
  const { entries, list } = await targetEntries(env, s3Settings(env), readS3Text);
  if (entries.length === 0) throw new TargetListError(list, 'no targets: set TARGETS or list them in TARGETS_FILE');
  const { targets, bad, duplicates } = parseTargetEntries(entries);
  // A repeated target is checked once, and the repeat told once like any line the run goes on without.
  const skipped: SkippedTarget[] = [...bad, ...duplicates.map((d) => ({ where: d.where, entry: d.entry, reason: `the same target as ${d.first}: checked once` }))];
  return { targets, skipped };
}

/** Reads the scheduled job's configuration and its target list; throws {@link ConfigError} with a one-line reason. */
export async function readJobConfig(env: NodeJS.ProcessEnv, readS3Text: ReadS3Text = noS3): Promise<JobConfig> {
  const run = readRunConfig(env);
  return { ...run, ...(await readTargetList(env, readS3Text)) };
}
