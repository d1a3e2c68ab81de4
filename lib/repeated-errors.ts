/**
 * Errors that repeat once per target (a bucket that refuses every write, say) said once each:
 * the first one's words and how many more there were, so 100,000 targets make one line, not
 * 100,000, and the run's memory does not grow with them. An error's kind is its text before the
 * first ": " ("alert memory not stored: cannot write s3://…" is of kind "alert memory not
 * stored"); errors without one are their own kind. First-seen order is kept.
 */
export class RepeatedErrors {
  private readonly kinds = new Map<string, { first: string; more: number }>();

  add(error: string): void {
    const colon = error.indexOf(': ');
    const kind = colon > 0 ? error.slice(0, colon) : error;
    const seen = this.kinds.get(kind);
    if (seen) seen.more += 1;
    else this.kinds.set(kind, { first: error, more: 0 });
  }

  /** One line a kind: `<first error> (and 41 more like it)`. */
  lines(): string[] {
    return [...this.kinds.values()].map(({ first, more }) => (more > 0 ? `${first} (and ${more} more like it)` : first));
  }
}
