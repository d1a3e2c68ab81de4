/** Target lists: a file (one a line, '#' starts a comment) or a variable (commas or newlines). */
import { isIP } from 'node:net';
import { parseTarget, type Target, TargetError, targetKey } from './target';
import type { TargetSettings } from './target-settings';

/** One entry of a target list, unparsed, with the line it stands on (1 for the first). */
export interface ListEntry {
  value: string;
  line: number;
}

/** The entries of a targets file or variable with their line numbers, comments and blanks removed. */
export function targetListEntries(text: string): ListEntry[] {
  return text.split(/\r?\n/).flatMap((line, i) =>
    line
      .replace(/#.*/, '')
      .split(',')
      .map((entry) => ({ value: entry.trim(), line: i + 1 }))
      .filter((entry) => entry.value !== ''),
  );
}

/**
 * One target of a list, with the address it is pinned to: `api.internal:443 @10.0.0.7` connects to
 * 10.0.0.7 and checks the certificate for api.internal (as the CLI's --resolve), without asking DNS.
 * The target's `input` keeps the pin, so the line travels whole (to the queue's workers).
 */
export function parseListTarget(value: string): { target: Target; pin: string | null } {
  const pinned = /^(\S+)\s+@(\S*)$/.exec(value.trim());
  if (!pinned) return { target: parseTarget(value), pin: null };
  const [, target, address] = pinned;
  if (isIP(address) === 0) throw new TargetError(`invalid target "${value}": "@${address}" is not an IP address to connect to (write host:port @10.0.0.7)`);
  return { target: { ...parseTarget(target), input: value.trim() }, pin: address.toLowerCase() };
}

/** The pins of parsed list targets as the checks take them (`host:port` → address). */
export function pinsOf(parsed: readonly { target: Target; pin: string | null }[]): Map<string, string> {
  return new Map(parsed.flatMap(({ target, pin }) => (pin === null ? [] : [[`${target.host}:${target.port}`, pin] as [string, string]])));
}

/** An entry of a list and where it stands, for people: "targets.txt:12", "entry 2 of TARGETS". */
export interface PlacedEntry {
  value: string;
  where: string;
  /** A structured file's settings for the target (lib/targets-file.ts); absent for a plain line. */
  settings?: TargetSettings;
  /** Why a structured file's entry cannot be used (the target is then not parsed). */
  error?: string;
}

/** A list's entries, parsed: the targets (each once), the entries that are not targets, the repeats. */
export interface ParsedList {
  targets: Target[];
  /** The addresses targets are pinned to (`host:port` → address). */
  pins: Map<string, string>;
  bad: { where: string; entry: string; reason: string }[];
  /** An entry naming a target already listed (same host and port, and scheme where it is STARTTLS): checked once. */
  duplicates: { where: string; entry: string; first: string }[];
}

/** Parses every entry (a bad one never hides the next), keeping the first of each target (by its storage key). */
export function parseTargetEntries(entries: readonly PlacedEntry[]): ParsedList {
  const parsed: ParsedList = { targets: [], pins: new Map(), bad: [], duplicates: [] };
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const { value, where } = entry;
    let target: Target;
    let pin: string | null = null;
    try {
      if (entry.error !== undefined) throw new TargetError(entry.error);
      if (entry.settings === undefined) ({ target, pin } = parseListTarget(value));
      else target = withSettings(parseTarget(value), entry.settings);
    } catch (err) {
      parsed.bad.push({ where, entry: value, reason: (err as Error).message });
      continue;
    }
    // One storage key, one target: `example.com` and `wss://example.com/socket` are one.
    const key = targetKey(target.host, target.port, undefined, target.protocol);
    const first = seen.get(key);
    if (first !== undefined) {
      parsed.duplicates.push({ where, entry: value, first });
      continue;
    }
    seen.set(key, where);
    parsed.targets.push(target);
    if (pin !== null) parsed.pins.set(`${target.host}:${target.port}`, pin);
  }
  return parsed;
}

/** The target with its settings, when it has any (a target without them takes the run's, at no cost). */
export function withSettings(target: Target, settings: TargetSettings | undefined): Target {
  return settings === undefined || Object.keys(settings).length === 0 ? target : { ...target, settings };
}
