/** Target lists: a file (one a line, '#' starts a comment) or a variable (commas or newlines). */
import { formatHostPort, parseTarget, type Target } from './target';

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

/** An entry of a list and where it stands, for people: "targets.txt:12", "entry 2 of TARGETS". */
export interface PlacedEntry {
  value: string;
  where: string;
}

/** A list's entries, parsed: the targets (each once), the entries that are not targets, the repeats. */
export interface ParsedList {
  targets: Target[];
  bad: { where: string; entry: string; reason: string }[];
  /** An entry naming a target already listed (same host and port): checked once. */
  duplicates: { where: string; entry: string; first: string }[];
}

/** Parses every entry (a bad one never hides the next), keeping the first of each host:port. */
export function parseTargetEntries(entries: readonly PlacedEntry[]): ParsedList {
  const parsed: ParsedList = { targets: [], bad: [], duplicates: [] };
  const seen = new Map<string, string>();
  for (const { value, where } of entries) {
    let target: Target;
    try {
      target = parseTarget(value);
    } catch (err) {
      parsed.bad.push({ where, entry: value, reason: (err as Error).message });
      continue;
    }
    const key = formatHostPort(target.host, target.port);
    const first = seen.get(key);
    if (first !== undefined) {
      parsed.duplicates.push({ where, entry: value, first });
      continue;
    }
    seen.set(key, where);
    parsed.targets.push(target);
  }
  return parsed;
}
