/** The functions' configuration, read from the environment as ../shared/CONTRACT.md lists it. */
import { readFile } from 'node:fs/promises';
import { parseTarget, type Target } from './target';
import { splitTargetList } from './target-list';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface JobConfig {
  targets: Target[];
  reportsDir: string;
  warnDays: number;
  criticalDays: number;
  allAddresses: boolean;
  timeoutMs: number;
  concurrency: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, not "${raw}"`);
  return Number(raw);
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, not "${raw}"`);
}

async function targetEntries(env: NodeJS.ProcessEnv): Promise<string[]> {
  if (env.TARGETS !== undefined && env.TARGETS.trim() !== '') return splitTargetList(env.TARGETS);
  const file = env.TARGETS_FILE || 'targets.txt';
  if (file.startsWith('s3://')) throw new ConfigError('TARGETS_FILE on S3 needs the S3 store, which this build does not have');
  try {
    return splitTargetList(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read TARGETS_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the scheduled job's configuration; throws {@link ConfigError} with a one-line reason. */
export async function readJobConfig(env: NodeJS.ProcessEnv): Promise<JobConfig> {
  if (env.S3_BUCKET) throw new ConfigError('S3_BUCKET is set, but this build stores reports only in a folder (REPORTS_DIR)');
  const entries = await targetEntries(env);
  if (entries.length === 0) throw new ConfigError('no targets: set TARGETS or list them in TARGETS_FILE');
  const targets: Target[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    try {
      targets.push(parseTarget(entry));
    } catch (err) {
      bad.push((err as Error).message);
    }
  }
  if (bad.length > 0) throw new ConfigError(bad.join('; '));
  return {
    targets,
    reportsDir: env.REPORTS_DIR || './reports',
    warnDays: number(env, 'WARN_DAYS', 30),
    criticalDays: number(env, 'CRITICAL_DAYS', 7),
    allAddresses: flag(env, 'ALL_ADDRESSES', true),
    timeoutMs: number(env, 'CHECK_TIMEOUT_MS', 10_000),
    concurrency: number(env, 'CONCURRENCY', 16),
  };
}
