/** Target lists: a file (one a line, '#' starts a comment) or a variable (commas or newlines). */

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

/** The entries of a targets file or variable, comments and blanks removed, unparsed. */
export function splitTargetList(text: string): string[] {
  return targetListEntries(text).map((entry) => entry.value);
}
