/**
 * Structured targets files (YAML, or JSON, which YAML 1.2 reads too): a list of targets, each a
 * string as in a plain list or a mapping that carries the target's own settings, and an optional
 * `defaults:` block that every target takes unless it says otherwise. One schema, checked here by
 * hand; every problem names the line it stands on, and a bad entry never hides the next.
 */
import { isAbsolute, posix, resolve as resolvePath } from 'node:path';
import { isIP } from 'node:net';
import { type PlacedEntry, targetListEntries } from './target-list';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { SETTING_RANGES } from './setting-ranges';
import type { CaSetting, TargetSettings } from './target-settings';
import { parseTarget } from './target';

/** Thrown when the file as a whole cannot be read as YAML or JSON (a syntax error, a wrong shape): nothing in it is used. */
export class TargetsFileError extends Error {
  override name = 'TargetsFileError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** One entry of the file: the target as written, its line, and its settings (defaults merged), or why it cannot be used. */
export interface FileEntry {
  value: string;
  line: number;
  settings: TargetSettings;
  /** Why the entry is not used (the run goes on without it), each at its own line; empty for a good entry. */
  errors: { line: number; message: string }[];
}

/**
 * Whether a targets file is structured: its name ends in .yaml, .yml or .json, or its first line
 * that is neither blank nor a comment starts a YAML mapping or list (`targets:`, `defaults:`,
 * `- …`, `{`, `[`). None of these is ever a plain target line, so a plain file reads as before.
 */
export function isStructuredTargets(name: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(name)) return true;
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  return first !== undefined && /^(?:(?:targets|defaults)\s*:|-(?:\s|$)|[{[])/.test(first.trim());
}

/** The keys a target's mapping takes; `defaults:` takes the same but `target`, `servername` and `address`. */
const TARGET_KEYS = ['target', 'servername', 'address', 'ca', 'caMode', 'warnDays', 'criticalDays', 'alerts', 'labels'] as const;
const DEFAULT_KEYS = ['ca', 'caMode', 'warnDays', 'criticalDays', 'alerts', 'labels'] as const;
type Key = (typeof TARGET_KEYS)[number];

/** A webhook's name, as `alerts:` names it and `name=` gives it in the webhook list. */
export const WEBHOOK_NAME = /^[a-z][a-z0-9_-]{0,31}$/i;
/** Labels are short: they are shown on every alert and status page row. */
export const MAX_LABELS = 10;
export const MAX_LABEL_CHARS = 64;

class Problem extends Error {
  constructor(
    readonly node: Node | null | undefined,
    message: string,
  ) {
    super(message);
  }
}

function kindOf(node: Node | null | undefined): string {
  if (!node) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
  return 'something else';
}

function stringOf(node: Node | null | undefined, key: string, what: string): string {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') throw new Problem(node, `${key} must be ${what}, got ${kindOf(node)}`);
  return node.value.trim();
}

function daysOf(node: Node | null | undefined, key: string): number {
  const [min, max] = SETTING_RANGES[key as 'warnDays' | 'criticalDays'];
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Problem(node, `${key} must be a number of days ≥ ${min} (whole, at most ${max}), got ${kindOf(node)}`);
  }
  return value;
}

function listOf(node: Node | null | undefined, key: string, each: (item: Node | null, i: number) => string): string[] {
  if (!isSeq(node)) throw new Problem(node, `${key} must be a list, got ${kindOf(node)}`);
  return node.items.map((item, i) => each(item as Node | null, i));
}

function closest(key: string, keys: readonly string[]): string | null {
  return keys.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[_-]/g, '')) ?? null;
}

/** Where a relative CA path points: beside the targets file (a folder, or an `s3://bucket/prefix/`). */
function caPath(file: string, base: string | null): string {
  if (file.startsWith('s3://') || isAbsolute(file) || base === null) return file;
  if (base.startsWith('s3://')) return `s3://${posix.normalize(posix.join(base.slice('s3://'.length), file))}`;
  return resolvePath(base, file);
}

interface Reading {
  lines: LineCounter;
  base: string | null;
}

/** Reads one mapping's settings (a target's or the defaults'); throws the first Problem. */
function settingsOf(map: YAMLMap, keys: readonly string[], reading: Reading, problems: Problem[]): { settings: TargetSettings; target: string | null; caMode: CaSetting['mode'] | null } {
  const settings: TargetSettings = {};
  let target: string | null = null;
  let caMode: CaSetting['mode'] | null = null;
  for (const pair of map.items as Pair<Node | null, Node | null>[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    try {
      if (!keys.includes(key)) {
        const near = closest(key, keys);
        const where = keys === DEFAULT_KEYS && TARGET_KEYS.includes(key as Key) ? ` (${key} is set per target, not in defaults)` : near ? ` (did you mean ${near}?)` : ` (known keys: ${keys.join(', ')})`;
        throw new Problem(keyNode, `unknown key "${key}"${where}`);
      }
      const value = pair.value;
      const known = key as Key;
      switch (known) {
        case 'target':
          target = stringOf(value, key, 'a target string (quote an IPv6 one: "[::1]:443")');
          break;
        case 'servername': {
          const name = stringOf(value, key, 'a host name');
          let host: ReturnType<typeof parseTarget>;
          try {
            host = parseTarget(name);
          } catch (err) {
            throw new Problem(value, `servername ${(err as Error).message.replace(/^invalid target/, '')}`);
          }
          if (host.ipVersion !== 0 || /[:/]/.test(name)) throw new Problem(value, `servername must be a host name (no port, scheme or IP address), got ${JSON.stringify(name)}`);
          settings.servername = host.host;
          break;
        }
        case 'address': {
          const address = stringOf(value, key, 'an IP address to connect to');
          if (isIP(address) === 0) throw new Problem(value, `address must be an IP address to connect to, got ${JSON.stringify(address)}`);
          settings.address = address.toLowerCase();
          break;
        }
        case 'ca':
          settings.ca = { file: caPath(stringOf(value, key, 'a PEM file path or an s3://bucket/key object'), reading.base), mode: 'add' };
          break;
        case 'caMode': {
          const mode = stringOf(value, key, 'add or replace');
          if (mode !== 'add' && mode !== 'replace') throw new Problem(value, `caMode must be add or replace, got ${JSON.stringify(mode)}`);
          caMode = mode;
          break;
        }
        case 'warnDays':
        case 'criticalDays':
          settings[known] = daysOf(value, known);
          break;
        case 'alerts':
          settings.alerts = listOf(value, key, (item) => {
            const name = stringOf(item, 'each name in alerts', 'a webhook name');
            if (!WEBHOOK_NAME.test(name)) throw new Problem(item, `alerts: "${name}" is not a webhook name (letters, digits, "-" and "_", starting with a letter)`);
            return name.toLowerCase();
          });
          break;
        case 'labels': {
          const labels = listOf(value, key, (item) => {
            const label = stringOf(item, 'each label', 'text');
            if (label.length > MAX_LABEL_CHARS || /[\p{Cc}]/u.test(label)) throw new Problem(item, `a label must be one line of at most ${MAX_LABEL_CHARS} characters, got ${JSON.stringify(label.slice(0, 80))}`);
            return label;
          });
          if (labels.length > MAX_LABELS) throw new Problem(value, `labels takes at most ${MAX_LABELS} labels, got ${labels.length}`);
          settings.labels = labels;
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      problems.push(err);
    }
  }
  return { settings, target, caMode };
}

/** Merges defaults and an entry's own settings (the entry's win, key by key; caMode goes with its ca). */
function merged(defaults: TargetSettings, own: TargetSettings): TargetSettings {
  const settings: TargetSettings = { ...defaults, ...own };
  for (const key of Object.keys(settings) as (keyof TargetSettings)[]) if (settings[key] === undefined) delete settings[key];
  return settings;
}

function withCaMode(settings: TargetSettings, caMode: CaSetting['mode'] | null, at: Node, problems: Problem[]): void {
  if (caMode === null) return;
  if (!settings.ca) problems.push(new Problem(at, 'caMode needs ca: the PEM file of the CAs to add or to trust alone'));
  else settings.ca = { ...settings.ca, mode: caMode };
}

function thresholdsAgree(settings: TargetSettings, at: Node, problems: Problem[]): void {
  const { warnDays, criticalDays } = settings;
  if (warnDays !== undefined && criticalDays !== undefined && criticalDays > warnDays) {
    problems.push(new Problem(at, `criticalDays (${criticalDays}) must not be above warnDays (${warnDays}): a certificate warns first, then turns critical`));
  }
}

/**
 * Reads a structured targets file. `base` is where a relative `ca` path points from (the file's
 * folder, or its `s3://bucket/prefix/`); null leaves it as written. Throws {@link TargetsFileError}
 * when the file is not YAML/JSON or not of the expected shape; a bad entry is returned with its
 * error (and its line), and the others are not touched by it.
 */
export function parseTargetsFile(text: string, base: string | null = null): FileEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const lineOf = (node: Node | null | undefined): number => lines.linePos(node?.range?.[0] ?? 0).line;
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
    throw new TargetsFileError(line, `not valid YAML or JSON: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const reading: Reading = { lines, base };
  const root = doc.contents as Node | null;
  let list: Node | null | undefined = root;
  const defaultProblems: Problem[] = [];
  let defaults: TargetSettings = {};
  if (isMap(root)) {
    list = undefined;
    for (const pair of root.items as Pair<Node | null, Node | null>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'targets') list = pair.value;
      else if (key === 'defaults') {
        if (!isMap(pair.value)) throw new TargetsFileError(lineOf(pair.value ?? pair.key), `defaults must be a mapping of settings, got ${kindOf(pair.value)}`);
        const read = settingsOf(pair.value, DEFAULT_KEYS, reading, defaultProblems);
        withCaMode(read.settings, read.caMode, pair.value, defaultProblems);
        thresholdsAgree(read.settings, pair.value, defaultProblems);
        defaults = read.settings;
      } else throw new TargetsFileError(lineOf(pair.key), `unknown top-level key "${key}" (a structured targets file has targets: and, optionally, defaults:)`);
    }
    if (list === undefined) throw new TargetsFileError(lineOf(root), 'no targets: list (a structured targets file has targets: and, optionally, defaults:)');
  }
  if (!isSeq(list)) throw new TargetsFileError(lineOf(list ?? root), `the targets must be a list, got ${kindOf(list)}`);
  // A bad default would change every target: each one says so, rather than run with a setting left out.
  const defaultError = defaultProblems.length > 0 ? `defaults (line ${lineOf(defaultProblems[0].node)}): ${defaultProblems[0].message}` : null;
  const entries: FileEntry[] = [];
  for (const item of list.items as (Node | null)[]) {
    const line = lineOf(item);
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
      const pinned = /^(\S+)\s+@(\S*)$/.exec(item.value.trim());
      const value = pinned ? pinned[1] : item.value.trim();
      const settings = merged(defaults, {});
      const entry: FileEntry = { value, line, settings, errors: [] };
      if (pinned) {
        if (isIP(pinned[2]) === 0) entry.errors.push({ line, message: `"@${pinned[2]}" is not an IP address to connect to (write address: 10.0.0.7)` });
        else settings.address = pinned[2].toLowerCase();
      }
      if (defaultError) entry.errors.push({ line, message: defaultError });
      entries.push(entry);
      continue;
    }
    if (!isMap(item)) {
      entries.push({ value: kindOf(item), line, settings: {}, errors: [{ line, message: `a target must be a string or a mapping with target:, got ${kindOf(item)}` }] });
      continue;
    }
    const problems: Problem[] = [];
    const read = settingsOf(item, TARGET_KEYS, reading, problems);
    const settings = merged(defaults, read.settings);
    withCaMode(settings, read.caMode, item, problems);
    thresholdsAgree(settings, item, problems);
    const value = read.target ?? `(the entry at line ${line})`;
    if (read.target === null && !problems.some((p) => p.message.startsWith('target '))) problems.unshift(new Problem(item, 'no target: (every entry names the target it is about)'));
    const errors = problems.map((p) => ({ line: lineOf(p.node ?? item), message: p.message }));
    if (defaultError) errors.push({ line, message: defaultError });
    entries.push({ value, line, settings, errors });
  }
  return entries;
}

/**
 * The entries of a targets file's text, plain or structured (see {@link isStructuredTargets}),
 * each placed by `where(line)`. `base` is where a structured file's relative `ca` paths point
 * from. Throws TargetsFileError when a structured file is not YAML/JSON of the right shape.
 */
export function targetsFileEntries(name: string, text: string, where: (line: number) => string, base: string | null = null): PlacedEntry[] {
  if (!isStructuredTargets(name, text)) return targetListEntries(text).map((entry) => ({ value: entry.value, where: where(entry.line) }));
  return parseTargetsFile(text, base).flatMap((entry): PlacedEntry[] => {
    if (entry.errors.length === 0) return [{ value: entry.value, where: where(entry.line), settings: entry.settings }];
    return entry.errors.map((error) => ({ value: entry.value, where: where(error.line), error: error.message }));
  });
}
