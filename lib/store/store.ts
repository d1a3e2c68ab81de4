/** Where reports go: the contract's layout, whatever the medium. */
import { randomUUID } from 'node:crypto';
import type { ConfigAlertMemory } from '../alerts/config-alert';
import type { TargetAlertMemory } from '../alerts/decide';
import type { Delivery } from '../alerts/deliver';
import type { FleetIndex } from '../fleet-index';
import type { Rollup } from '../history-rollup';
import type { FindingCode, Report, Status } from '../report';
import { type Protocol, targetKey } from '../target';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** A line of the target list that could not be used: where it stands, what it says and why. */
export interface SkippedTarget {
  /** "line 12 of targets.txt", "entry 2 of TARGETS". */
  where: string;
  entry: string;
  reason: string;
}

/** A target whose report is not ok, as the run summary names it. */
export interface NotOkTarget {
  /** The report's key under `latest/` (`<host>_<port>[_<address>]`). */
  key: string;
  status: Status;
  codes: FindingCode[];
  /** The leaf's days remaining, or null without a certificate. */
  daysRemaining: number | null;
}

/** One scheduled run, as stored under `runs/`. */
export interface RunSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  targets: number;
  reports: number;
  byStatus: Record<string, number>;
  /** Every target whose report is not ok, worst first (the alert digest points here). */
  notOk: NotOkTarget[];
  /** The fewest days any checked leaf has left (null when no certificate was seen). */
  lowestDaysRemaining: number | null;
  /** How long one report took: the median and the slowest. */
  reportDurationMs: { median: number; max: number };
  storeFailures: { key: string; error: string }[];
  /** Targets the run did not get to (the Lambda deadline came first), as written in the list. */
  notChecked: string[];
  /** Entries of the target list that are not targets (line and reason); the run went on without them. */
  skipped: SkippedTarget[];
  /** Present when alerts are configured: how many targets alerted, each delivery, what went wrong. */
  alerts?: AlertRunSummary;
  /** How many batches the run was checked in (present for a run fanned out over the queue). */
  batches?: number;
  /** What else went wrong, in words (an unreadable alert memory, a target that no longer parses). */
  errors?: string[];
}

export interface AlertRunSummary {
  /** Targets with an alert in this run. */
  targets: number;
  /** One per webhook when there was something to send. */
  deliveries: Delivery[];
  /** Unusable webhooks, an unreadable alert history and the like, in words. */
  errors: string[];
}

/** Where what the configuration alerts told is kept. */
export const CONFIG_ALERT_KEY = 'alerts/config.json';

export interface ReportStore {
  /** Keeps the report under `reports/` and as the target's `latest/`. */
  putReport(report: Report, opts: { perAddress: boolean }): Promise<void>;
  putRunSummary(summary: RunSummary): Promise<void>;
  /** The run summary stored for a run that started at `startedAt`, or null. */
  getRunSummary(startedAt: string): Promise<RunSummary | null>;
  /** The newest stored report under `latest/<key>.json`, or null when there is none. */
  getLatest(key: string): Promise<Report | null>;
  /** The keys under `latest/` (without `.json`) that start with `start`. */
  listLatest(start: string): Promise<string[]>;
  /** What alerts already told of one target (`alerts/targets/<key>.json`); null when nothing. */
  getAlertMemory(key: string): Promise<TargetAlertMemory | null>;
  /** Remembers what was told of one target; null forgets it. */
  putAlertMemory(key: string, memory: TargetAlertMemory | null): Promise<void>;
  /** The keys of every target with an alert memory. */
  listAlertMemories(): Promise<string[]>;
  /** What alerts already told of the configuration (`alerts/config.json`). */
  getConfigAlertMemory(): Promise<ConfigAlertMemory | null>;
  putConfigAlertMemory(memory: ConfigAlertMemory): Promise<void>;
  /** A run's working state (`run-state/<runId>/<name>.json`): its plan, each batch's result, who finishes it. */
  getRunState<T>(runId: string, name: string): Promise<T | null>;
  putRunState(runId: string, name: string, value: unknown): Promise<void>;
  /** Writes `name` only when it does not exist yet; false when it does (someone else wrote it first). */
  claimRunState(runId: string, name: string, value: unknown): Promise<boolean>;
  /** The names under `run-state/<runId>/` that start with `start`. */
  listRunState(runId: string, start: string): Promise<string[]>;
  /** Writes `index.json` from its text in pieces (never whole in memory). */
  putIndex(text: AsyncIterable<string>): Promise<void>;
  /** The fleet index, or null when no run has written one. */
  getIndex(): Promise<FleetIndex | null>;
  /** Writes the status page (`index.html`) from its text in pieces. */
  putPage(html: AsyncIterable<string> | Iterable<string>): Promise<void>;
  /** The status page's HTML, or null when no run has written one. */
  getPage(): Promise<string | null>;
  /** One target's daily rollup (`history/<key>.json`), or null when there is none. */
  getRollup(key: string): Promise<Rollup | null>;
  putRollup(key: string, rollup: Rollup): Promise<void>;
  /**
   * A link a person can open to the status page: a file:// URL for a folder, a presigned HTTPS
   * URL for S3 (valid `seconds` at most, and no longer than the credentials that sign it).
   */
  pageLink(seconds: number): Promise<PageLink>;
  /**
   * A presigned HTTPS link to a stored report (`key` relative to the prefix, as `reportKeys`
   * gives it), on the same terms as `pageLink`; absent where a report's path is its link (a folder).
   */
  reportLink?(key: string, seconds: number): Promise<PageLink>;
  /** Writes and deletes a small object: a StoreError saying why when the place cannot be written. */
  checkWritable(): Promise<void>;
  /** Where the store writes, for people ("./reports", "s3://bucket/prefix"). */
  readonly location: string;
}

/** Where the status page can be opened, and until when (null: as long as the file is there). */
export interface PageLink {
  url: string;
  expiresAt: string | null;
}

/** The status page's key, relative to the prefix. */
export const PAGE_KEY = 'index.html';

/**
 * How long a link to the page or a report is asked to work: 7 days, the most a presigned S3 URL
 * can (SigV4's limit); the credentials that sign it may end it sooner (Lambda's: hours).
 */
export const LINK_SECONDS = 7 * 86_400;

/** The key of a report's target, with the address when a name's addresses are checked one by one. */
export function reportTargetKey(report: Report, perAddress: boolean): string {
  const { host, port, servername, address, protocol } = report.target;
  return targetKey(host, port, perAddress && servername !== null && address !== null ? address : undefined, protocol);
}

/** The contract's keys for one report, relative to the store's prefix. */
export function reportKeys(report: Report, perAddress: boolean): { history: string; latest: string } {
  const key = reportTargetKey(report, perAddress);
  return { history: historyKey(key, report.checkedAt), latest: `latest/${key}.json` };
}

/** The key under `reports/` of a target's report checked at `checkedAt` (`key` as under `latest/`). */
export function historyKey(key: string, checkedAt: string): string {
  // The contract's file name: the time with ":" written as "-" (no colon in a file or URL).
  return `reports/${key}/${checkedAt.slice(0, 10)}/${checkedAt.replace(/:/g, '-')}.json`;
}

/**
 * The contract's layout on any medium that writes, reads and lists whole objects by key (a
 * folder, a bucket); each medium supplies those three.
 */
export abstract class LayoutStore implements ReportStore {
  abstract readonly location: string;
  /** Writes the whole object; a StoreError that names it on failure. */
  protected abstract write(key: string, body: string): Promise<void>;
  /** The object's text, or null when there is none; a StoreError on any other failure. */
  protected abstract read(key: string): Promise<string | null>;
  /** The keys that start with `start` (a key prefix, not a folder). */
  protected abstract list(start: string): Promise<string[]>;
  /** Deletes the object; nothing when it does not exist. */
  protected abstract remove(key: string): Promise<void>;
  /** Writes the object only when it does not exist yet, atomically; false when it does. */
  protected abstract writeNew(key: string, body: string): Promise<boolean>;
  /** Writes the whole object from its text in pieces, replacing it only once all is written. */
  protected abstract writeStream(key: string, text: AsyncIterable<string> | Iterable<string>): Promise<void>;

  putIndex(text: AsyncIterable<string>): Promise<void> {
    return this.writeStream('index.json', text);
  }

  async getIndex(): Promise<FleetIndex | null> {
    const text = await this.read('index.json');
    return text === null
      ? null
      : parseStored<FleetIndex>(text, `${this.location}/index.json`, (i) => (i?.schemaVersion !== 1 || !Array.isArray(i.targets) ? 'not a certcheck index' : null));
  }

  async checkWritable(): Promise<void> {
    const key = `.certcheck-write-check-${process.pid}-${randomUUID()}`;
    await this.write(key, '{}\n');
    await this.remove(key);
  }

  putPage(html: AsyncIterable<string> | Iterable<string>): Promise<void> {
    return this.writeStream(PAGE_KEY, html);
  }

  getPage(): Promise<string | null> {
    return this.read(PAGE_KEY);
  }

  async getRollup(key: string): Promise<Rollup | null> {
    const where = `history/${key}.json`;
    const text = await this.read(where);
    return text === null ? null : parseStored<Rollup>(text, `${this.location}/${where}`, (r) => (r?.schemaVersion !== 1 || !Array.isArray(r.days) ? 'not a history rollup' : null));
  }

  async putRollup(key: string, rollup: Rollup): Promise<void> {
    await this.write(`history/${key}.json`, `${JSON.stringify(rollup)}\n`);
  }

  abstract pageLink(seconds: number): Promise<PageLink>;

  async putReport(report: Report, opts: { perAddress: boolean }): Promise<void> {
    const keys = reportKeys(report, opts.perAddress);
    const body = jsonText(report);
    // History first: should the second write fail, the report is still kept.
    await this.write(keys.history, body);
    await this.write(keys.latest, body);
  }

  async putRunSummary(summary: RunSummary): Promise<void> {
    await this.write(`runs/${summary.startedAt}.json`, jsonText(summary));
  }

  async getLatest(key: string): Promise<Report | null> {
    const text = await this.read(`latest/${key}.json`);
    return text === null ? null : parseStoredReport(text, `${this.location}/latest/${key}.json`);
  }

  async getRunSummary(startedAt: string): Promise<RunSummary | null> {
    const key = `runs/${startedAt}.json`;
    const text = await this.read(key);
    return text === null ? null : parseStored<RunSummary>(text, `${this.location}/${key}`, (r) => (typeof r?.startedAt !== 'string' ? 'not a run summary' : null));
  }

  async getAlertMemory(key: string): Promise<TargetAlertMemory | null> {
    const where = `alerts/targets/${key}.json`;
    const text = await this.read(where);
    return text === null
      ? null
      : parseStored<TargetAlertMemory>(text, `${this.location}/${where}`, (m) => (typeof m?.lastAlertAt !== 'string' || !Array.isArray(m.told) ? 'not an alert memory' : null));
  }

  async putAlertMemory(key: string, memory: TargetAlertMemory | null): Promise<void> {
    const where = `alerts/targets/${key}.json`;
    if (memory === null) await this.remove(where);
    else await this.write(where, jsonText(memory));
  }

  async listAlertMemories(): Promise<string[]> {
    return (await this.list('alerts/targets/')).filter((key) => key.endsWith('.json')).map((key) => key.slice('alerts/targets/'.length, -'.json'.length));
  }

  async getConfigAlertMemory(): Promise<ConfigAlertMemory | null> {
    const text = await this.read(CONFIG_ALERT_KEY);
    return text === null
      ? null
      : parseStored<ConfigAlertMemory>(text, `${this.location}/${CONFIG_ALERT_KEY}`, (m) => (typeof m?.told !== 'object' || m.told === null ? 'not a configuration alert memory' : null));
  }

  async putConfigAlertMemory(memory: ConfigAlertMemory): Promise<void> {
    await this.write(CONFIG_ALERT_KEY, jsonText(memory));
  }

  async getRunState<T>(runId: string, name: string): Promise<T | null> {
    const key = `run-state/${runId}/${name}.json`;
    const text = await this.read(key);
    return text === null ? null : parseStored<T>(text, `${this.location}/${key}`, (v) => (typeof v !== 'object' || v === null ? 'not run state' : null));
  }

  async putRunState(runId: string, name: string, value: unknown): Promise<void> {
    await this.write(`run-state/${runId}/${name}.json`, jsonText(value));
  }

  claimRunState(runId: string, name: string, value: unknown): Promise<boolean> {
    return this.writeNew(`run-state/${runId}/${name}.json`, jsonText(value));
  }

  async listRunState(runId: string, start: string): Promise<string[]> {
    const folder = `run-state/${runId}/`;
    return (await this.list(`${folder}${start}`)).filter((key) => key.endsWith('.json')).map((key) => key.slice(folder.length, -'.json'.length));
  }

  async listLatest(start: string): Promise<string[]> {
    return (await this.list(`latest/${start}`)).filter((key) => key.endsWith('.json')).map((key) => key.slice('latest/'.length, -'.json'.length));
  }
}

/**
 * The newest stored report of host:port: the one-report key, or, where a name's addresses were
 * checked one by one, the newest of its per-address reports (or exactly `address`'s).
 */
export async function findLatest(store: ReportStore, host: string, port: number, address?: string, protocol?: Protocol): Promise<Report | null> {
  if (address !== undefined) return store.getLatest(targetKey(host, port, address, protocol));
  const whole = targetKey(host, port, undefined, protocol);
  const keys = [whole, ...(await store.listLatest(`${whole}_`))];
  const found = (await Promise.all(keys.map((key) => store.getLatest(key)))).filter((r): r is Report => r !== null);
  return found.reduce<Report | null>((newest, r) => (newest === null || r.checkedAt > newest.checkedAt ? r : newest), null);
}

/** Where `s3://bucket/prefix` points. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Reads `s3://bucket[/prefix]`; null when `url` is not an s3:// URL, a StoreError when it is a bad one. */
export function parseS3Url(url: string): S3Location | null {
  if (!url.startsWith('s3://')) return null;
  const [bucket, ...rest] = url.slice('s3://'.length).split('/');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new StoreError(`"${url}" does not name a valid S3 bucket`);
  return { bucket, prefix: rest.join('/').replace(/^\/+|\/+$/g, '') };
}

/** A key under a prefix (an empty prefix is the bucket's or folder's root). */
export function prefixed(prefix: string, key: string): string {
  return prefix ? `${prefix}/${key}` : key;
}

/** How every object is stored: indented JSON and a final new line. */
function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Stored JSON text as a T; a StoreError naming `where` when it is not JSON or `flaw` finds what it lacks. */
function parseStored<T>(text: string, where: string, flaw: (value: T) => string | null): T {
  try {
    const value = JSON.parse(text) as T;
    const problem = flaw(value);
    if (problem !== null) throw new Error(problem);
    return value;
  } catch (err) {
    throw new StoreError(`${where} is unreadable: ${(err as Error).message}`, { cause: err });
  }
}

/** A stored report's text as a report; a StoreError for anything that is not one. */
export function parseStoredReport(text: string, where: string): Report {
  return parseStored<Report>(text, where, (r) => (r?.schemaVersion !== 1 ? 'not a certcheck report (schemaVersion is not 1)' : null));
}
