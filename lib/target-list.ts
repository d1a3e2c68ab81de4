/** Target lists: a file (one a line, '#' starts a comment) or a variable (commas or newlines). */

/** The entries of a targets file or variable, comments and blanks removed, unparsed. */
export function splitTargetList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
