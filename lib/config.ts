/** The functions' configuration, read from the environment as ../shared/CONTRACT.md lists it. */
import { SETTING_RANGES } from './setting-ranges';
import { DEFAULT_ALERT_THRESHOLDS } from './alerts/decide';
import type { S3ClientSettings } from './store/s3';
import { parseS3Url, type S3Location, type SkippedTarget } from './store/store';
import type { Target } from './target';
import { TrustStore, TrustStoreError } from './x509/trust-store';
import { type ReadCa, readLocalCa } from './target-trust';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The target list cannot be read, or holds no target: nothing can be checked (an alert, not only a log line). */
export class TargetListError extends ConfigError {
  override name = 'TargetListError';
  constructor(
    /** Which list: "TARGETS_FILE s3://bucket/targets.txt" or "TARGETS". */
    readonly list: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where reports go: a bucket (and prefix) when `S3_BUCKET` is set, else a local folder. */
export type StoreTarget = { kind: 's3'; location: S3Location } | { kind: 'dir'; dir: string };

/** What every function reads alike. */
export interface CommonConfig {
  store: StoreTarget;
  s3: S3ClientSettings;
  warnDays: number;
  criticalDays: number;
  timeoutMs: number;
  ipv6: boolean;
  /** `CA_FILE` (a PEM file or an s3:// object) and `CA_MODE`: CAs added to the Mozilla roots, or trusted alone; null: the Mozilla roots. */
  ca: { file: string; mode: 'add' | 'replace' } | null;
}

/** Where alerts go and when; the webhook list is parsed later, so a bad entry never stops the checks. */
export interface AlertConfig {
  /** `ALERT_WEBHOOKS` as given ('' when unset). */
  webhooks: string;
  /** `ALERT_WEBHOOKS_PARAMETER`: an SSM parameter holding more of them, or null. */
  parameter: string | null;
  thresholds: number[];
}

/** The queue a run fans out over (`CHECK_QUEUE_URL`, `SQS_ENDPOINT` for an SQS-compatible server). */
export interface QueueConfig {
  url: string;
  endpoint?: string;
  region?: string;
}

/** What the scheduled function and the queue's workers read alike: everything but the target list. */
export interface RunConfig extends CommonConfig {
  allAddresses: boolean;
  concurrency: number;
  alerts: AlertConfig;
  /** The queue to fan out over; null runs every step in one process. */
  queue: QueueConfig | null;
  /** Targets per batch on the queue. */
  batchSize: number;
  /** `METRICS_PER_TARGET`: also a CloudWatch metric per target (one custom metric each, so off by default). */
  metricsPerTarget: boolean;
  /** `SCHEDULE`: the run's EventBridge schedule, for the status page's "next run"; null when unset. */
  schedule: string | null;
}

/** The targets of the list, and the entries that are not targets. */
export interface TargetList {
  targets: Target[];
  /** Entries of the list that are not targets; the run goes on without them. */
  skipped: SkippedTarget[];
}

export interface JobConfig extends RunConfig, TargetList {}

export interface HttpConfig extends CommonConfig {
  allowPrivateTargets: boolean;
}

/** Reads an `s3://` object's text (null when missing); the functions pass one built on their S3 client. */
export type ReadS3Text = (settings: S3ClientSettings, where: S3Location) => Promise<string | null>;

export { SETTING_RANGES };

/** A whole number within `range`, or the fallback when unset; a ConfigError naming `name`, the value and the range. */
export function settingNumber(name: string, raw: string | undefined, fallback: number, range: readonly [number, number]): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < range[0] || Number(value) > range[1]) {
    throw new ConfigError(`${name} must be a whole number from ${range[0]} to ${range[1]}, not "${raw}"`);
  }
  return Number(value);
}

/** The critical threshold may not be above the warning one (a certificate turns critical after it warns). */
export function checkThresholds(warn: { name: string; days: number }, critical: { name: string; days: number }): void {
  if (critical.days > warn.days) {
    throw new ConfigError(`${critical.name} (${critical.days}) must not be above ${warn.name} (${warn.days}): a certificate warns first, then turns critical`);
  }
}

/** `30,14,7,3,1`: positive whole days, any order; a ConfigError names anything else. */
export function parseThresholds(raw: string | undefined, name = 'ALERT_THRESHOLDS'): number[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_ALERT_THRESHOLDS];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new ConfigError(`${name} must be whole days of at least 1, separated by commas, not "${raw}"`);
  return [...new Set(parts.map(Number))].sort((a, b) => b - a);
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, not "${raw}"`);
}

export function s3Location(url: string, name: string): S3Location {
  try {
    const location = parseS3Url(url);
    if (location) return location;
  } catch (err) {
    throw new ConfigError(`${name}: ${(err as Error).message}`, { cause: err });
  }
  throw new ConfigError(`${name} must be an s3:// URL, not "${url}"`);
}

/** The S3 client's settings: `S3_ENDPOINT` for an S3-compatible server, the region AWS gives. */
export function s3Settings(env: NodeJS.ProcessEnv): S3ClientSettings {
  return { endpoint: env.S3_ENDPOINT || undefined, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined };
}

/** `CA_FILE` and `CA_MODE` (add, the default, or replace); a ConfigError for a mode without a file or a bad mode. */
function caConfig(env: NodeJS.ProcessEnv): CommonConfig['ca'] {
  const file = env.CA_FILE?.trim();
  const mode = env.CA_MODE?.trim().toLowerCase() || 'add';
  if (mode !== 'add' && mode !== 'replace') throw new ConfigError(`CA_MODE must be add or replace, not "${env.CA_MODE}"`);
  if (!file) {
    if (env.CA_MODE?.trim()) throw new ConfigError('CA_MODE needs CA_FILE: the PEM file or s3:// object of the CAs to add or trust alone');
    return null;
  }
  if (file.startsWith('s3://')) s3Location(file, 'CA_FILE');
  return { file, mode };
}

/**
 * The trust store `ca` asks for: the Mozilla roots, plus or instead of the CA file's certificates
 * (an s3:// object read through `readS3Text`). A ConfigError when the file cannot be read or holds
 * no certificate: checking against the wrong roots would give every internal target a false verdict.
 */
export async function trustStoreOf(ca: CommonConfig['ca'], s3: S3ClientSettings, readS3Text: ReadS3Text): Promise<TrustStore> {
  if (ca === null) return TrustStore.mozilla();
  let custom: TrustStore;
  try {
    if (ca.file.startsWith('s3://')) {
      const text = await readS3Text(s3, s3Location(ca.file, 'CA_FILE'));
      if (text === null) throw new TrustStoreError(`cannot read CA file ${ca.file}: no such object`);
      custom = TrustStore.fromPemText(text, ca.file);
    } else {
      custom = TrustStore.fromPemFile(ca.file);
    }
  } catch (err) {
    throw new ConfigError(`CA_FILE: ${(err as Error).message}`, { cause: err });
  }
  return ca.mode === 'replace' ? custom : TrustStore.mozillaAnd(custom);
}

function commonConfig(env: NodeJS.ProcessEnv, defaultTimeoutMs: number): CommonConfig {
  const bucket = env.S3_BUCKET?.trim();
  const store: StoreTarget = bucket
    ? { kind: 's3', location: s3Location(`s3://${bucket}/${env.S3_PREFIX ?? ''}`, 'S3_BUCKET') }
    : { kind: 'dir', dir: env.REPORTS_DIR || './reports' };
  const warnDays = settingNumber('WARN_DAYS', env.WARN_DAYS, 30, SETTING_RANGES.warnDays);
  const criticalDays = settingNumber('CRITICAL_DAYS', env.CRITICAL_DAYS, 7, SETTING_RANGES.criticalDays);
  checkThresholds({ name: 'WARN_DAYS', days: warnDays }, { name: 'CRITICAL_DAYS', days: criticalDays });
  return {
    store,
    s3: s3Settings(env),
    warnDays,
    criticalDays,
    timeoutMs: settingNumber('CHECK_TIMEOUT_MS', env.CHECK_TIMEOUT_MS, defaultTimeoutMs, SETTING_RANGES.timeoutMs),
    ipv6: flag(env, 'CHECK_IPV6', true),
    ca: caConfig(env),
  };
}

/** How the functions read a structured file's `ca`: a path, or an s3:// object through `readS3Text`. */
export function caReaderOf(s3: S3ClientSettings, readS3Text: ReadS3Text): ReadCa {
  return async (file) => {
    if (!file.startsWith('s3://')) return readLocalCa(file);
    const text = await readS3Text(s3, s3Location(file, 'ca'));
    if (text === null) throw new Error('no such object');
    return text;
  };
}

/** Reads what every step of a run needs but the target list; throws {@link ConfigError} with a one-line reason. */
export function readRunConfig(env: NodeJS.ProcessEnv): RunConfig {
  const common = commonConfig(env, 10_000);
  const queueUrl = env.CHECK_QUEUE_URL?.trim();
  return {
    ...common,
    allAddresses: flag(env, 'ALL_ADDRESSES', true),
    concurrency: settingNumber('CONCURRENCY', env.CONCURRENCY, 16, SETTING_RANGES.concurrency),
    alerts: {
      webhooks: env.ALERT_WEBHOOKS ?? '',
      parameter: env.ALERT_WEBHOOKS_PARAMETER?.trim() || null,
      thresholds: parseThresholds(env.ALERT_THRESHOLDS),
    },
    queue: queueUrl ? { url: queueUrl, endpoint: env.SQS_ENDPOINT || undefined, region: common.s3.region } : null,
    // A batch travels as one queue message (at most 256 KB): 500 long targets still fit.
    batchSize: settingNumber('BATCH_SIZE', env.BATCH_SIZE, 50, SETTING_RANGES.batchSize),
    metricsPerTarget: flag(env, 'METRICS_PER_TARGET', false),
    schedule: env.SCHEDULE?.trim() || null,
  };
}

/** Reads the HTTP door's configuration (a shorter default timeout: API Gateway waits 29 s at most). */
export function readHttpConfig(env: NodeJS.ProcessEnv): HttpConfig {
  return { ...commonConfig(env, 5_000), allowPrivateTargets: flag(env, 'ALLOW_PRIVATE_TARGETS', false) };
}
