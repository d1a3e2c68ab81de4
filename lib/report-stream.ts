/**
 * Reports given on as they are checked, so that a long target list is not held in memory: a JSON
 * array written item by item, the input order restored with a bounded reorder buffer, and the
 * run's tallies (counts, worst status, slowest) kept as numbers, not reports.
 */
import { type Status, worseStatus } from './report';

/** A value as an item of a pretty-printed JSON array: `JSON.stringify(value, null, 2)` indented one level. */
export function jsonArrayItem(value: unknown): string {
  // The structure's newlines are the only ones (a string's are escaped): indenting after each is exact.
  return `  ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
}

/**
 * A JSON array written as its items come, byte for byte `JSON.stringify(items, null, 2)` and a
 * newline: `[]` for none, else `[`, each item (from jsonArrayItem) on its own lines, `]`.
 */
export class JsonArrayWriter {
  private count = 0;

  constructor(private readonly write: (text: string) => void) {}

  /** Writes one item, as jsonArrayItem made it. */
  add(item: string): void {
    this.write(`${this.count === 0 ? '[\n' : ',\n'}${item}`);
    this.count += 1;
  }

  /** Closes the array: `[]` when nothing was added. */
  end(): void {
    this.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/**
 * Items handed over by position (0, 1, 2, …) in any order and given on in position order. It holds
 * only the items that wait for an earlier one; when more than `limit` wait, `put` waits too (its
 * caller, a worker, takes no new target) until the earliest missing one comes. The earliest
 * missing item never waits, so this cannot deadlock as long as every position is put once.
 */
export class InOrder<T> {
  private readonly waiting = new Map<number, T>();
  private next = 0;
  private readonly blocked: (() => void)[] = [];
  /** The most items that ever waited at once (for tests and measurements). */
  peak = 0;

  constructor(
    private readonly emit: (item: T, position: number) => void,
    private readonly limit: number,
  ) {}

  async put(position: number, item: T): Promise<void> {
    if (position < this.next || this.waiting.has(position)) throw new RangeError(`position ${position} was already given`);
    this.waiting.set(position, item);
    while (this.waiting.has(this.next)) {
      const ready = this.waiting.get(this.next) as T;
      this.waiting.delete(this.next);
      this.emit(ready, this.next);
      this.next += 1;
    }
    this.peak = Math.max(this.peak, this.waiting.size);
    while (this.blocked.length > 0 && this.waiting.size <= this.limit) this.blocked.shift()?.();
    if (this.waiting.size > this.limit && this.waiting.has(position)) await new Promise<void>((resolve) => this.blocked.push(resolve));
  }

  /** How many positions were given on. */
  get given(): number {
    return this.next;
  }

  /** How many items wait for an earlier one. */
  get held(): number {
    return this.waiting.size;
  }
}

/** What a run's closing words need of each report: counts, the worst status, the slowest target. */
export class RunTally {
  readonly counts: Record<Status, number> = { critical: 0, unknown: 0, warning: 0, ok: 0 };
  count = 0;
  worst: Status = 'ok';
  /** The first of the slowest reports in the order they were added. */
  slowest: { where: string; durationMs: number } | null = null;

  add(status: Status, durationMs: number, where: () => string): void {
    this.count += 1;
    this.counts[status] += 1;
    this.worst = worseStatus(this.worst, status);
    if (this.slowest === null || durationMs > this.slowest.durationMs) this.slowest = { where: where(), durationMs };
  }
}
