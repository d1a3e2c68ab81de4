/**
 * Alerts about the configuration rather than a target (CONFIG_INVALID): a line of the target
 * list that is not a target is told once; a target list that cannot be read is told at once and
 * again each day while it lasts (nothing is checked meanwhile). Pure: data in, data out.
 */
import { REPEAT_AFTER_MS } from './decide';

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** A bad line, a list that cannot be read, or targets a run did not get to (told every run it happens). */
  kind: 'skipped-line' | 'unreadable-list' | 'not-checked';
  /** Where: "line 12 of s3://bucket/targets.txt", "entry 2 of TARGETS", "TARGETS_FILE s3://…". */
  where: string;
  /** The line as written (null for an unreadable list). */
  entry: string | null;
  reason: string;
}

/** What the configuration alerts told (`alerts/config.json`): per problem, when it was last told. */
export interface ConfigAlertMemory {
  schemaVersion: 1;
  told: Record<string, string>;
}

/**
 * A problem's identity: a bad line is the same problem wherever it moves in the file (lines
 * added above it must not tell it again); an unreadable list is one problem per list.
 */
function keyOf(problem: ConfigProblem): string {
  return problem.kind === 'skipped-line' ? `line|${problem.entry}|${problem.reason}` : `list|${problem.where}`;
}

export interface ConfigAlertDecision {
  /** The problems to tell now. */
  tell: ConfigProblem[];
  /** The memory to keep once they are told (problems gone are forgotten, so a return is told again). */
  memoryIfTold: ConfigAlertMemory;
  /** The memory to keep when no webhook took the message: what was told before, still there. */
  memoryIfNotTold: ConfigAlertMemory;
}

export function decideConfigAlerts(problems: readonly ConfigProblem[], memory: ConfigAlertMemory | null, now: Date): ConfigAlertDecision {
  const before = memory?.told ?? {};
  const tell: ConfigProblem[] = [];
  const ifTold: Record<string, string> = {};
  const ifNotTold: Record<string, string> = {};
  for (const problem of problems) {
    const key = keyOf(problem);
    if (key in ifTold) continue;
    const last = before[key];
    const due = last === undefined || (problem.kind === 'unreadable-list' && now.getTime() - Date.parse(last) >= REPEAT_AFTER_MS);
    if (due) tell.push(problem);
    ifTold[key] = due ? now.toISOString() : last;
    if (last !== undefined) ifNotTold[key] = last;
  }
  return { tell, memoryIfTold: { schemaVersion: 1, told: ifTold }, memoryIfNotTold: { schemaVersion: 1, told: ifNotTold } };
}
