/**
 * A process-wide cache of revocation answers (OCSP per issuer and serial, CRLs per URL): a warm
 * Lambda or a 1,000-target run fetches each once. Entries live until the answer's nextUpdate;
 * concurrent look-ups of one key share one request; a failure is remembered briefly, so that a
 * dead responder is not asked again by every target behind it.
 */

export interface Expiring<T> {
  value: T;
  /** Epoch ms after which the value is stale. */
  expiresAt: number;
}

/** How long a failed look-up is remembered. */
const FAILURE_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class ExpiringCache<T> {
  private readonly entries = new Map<string, Promise<Expiring<T>>>();

  /** The cached value of `key`, else what `load` gives (its failure is thrown, and kept a minute). */
  async get(key: string, now: number, load: () => Promise<Expiring<T>>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry) {
      const { expiresAt } = await entry.catch((err: unknown) => ({ expiresAt: (err as { expiresAt?: number }).expiresAt ?? 0 }));
      if (expiresAt <= now) {
        this.entries.delete(key);
        entry = undefined;
      }
    }
    if (!entry) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      entry = load().catch((err: unknown) => {
        throw Object.assign(err as Error, { expiresAt: now + FAILURE_TTL_MS });
      });
      this.entries.set(key, entry);
    }
    return (await entry).value;
  }

  get size(): number {
    return this.entries.size;
  }
}
