/**
 * Which webhook hears of which target: a structured targets file's `alerts:` names webhooks
 * (`ops=https://…`, else by service), and each webhook gets a message of its own targets only.
 * A target without `alerts:` goes to every webhook, as does every configuration problem. A name
 * no webhook has is never a silent drop: the target goes to every webhook, and the error names it.
 */
import { AlertCollector, type AlertItem } from './message';
import type { Webhook } from './webhooks';

export class RoutedAlerts {
  /** One collector per webhook (by position: several may share a name). */
  private readonly collectors: AlertCollector[];
  private readonly unknown = new Map<string, Set<string>>();
  private total = 0;

  constructor(private readonly webhooks: readonly Webhook[]) {
    this.collectors = webhooks.map(() => new AlertCollector());
  }

  /**
   * The positions of the webhooks that get an item with these routes: every webhook for none
   * (absent) or for names no webhook has; none for an empty list.
   */
  receivers(routes: readonly string[] | null | undefined): number[] {
    const all = this.webhooks.map((_w, i) => i);
    if (routes === undefined || routes === null) return all;
    if (routes.some((name) => !this.webhooks.some((w) => w.name === name))) return all;
    return all.filter((i) => routes.includes(this.webhooks[i].name));
  }

  /** Adds an item for the webhooks its routes name (a configuration problem: every webhook). */
  add(item: AlertItem, routes?: readonly string[] | null): void {
    this.total += 1;
    for (const name of routes ?? []) {
      if (this.webhooks.some((w) => w.name === name)) continue;
      const targets = this.unknown.get(name) ?? new Set();
      targets.add(item.target);
      this.unknown.set(name, targets);
    }
    for (const i of this.receivers(routes)) this.collectors[i].add(item);
  }

  /** How many items were added, whoever gets them. */
  get size(): number {
    return this.total;
  }

  collector(position: number): AlertCollector {
    return this.collectors[position];
  }

  /** One error per name that no webhook has, naming the targets that asked for it and what became of them. */
  errors(): string[] {
    const names = [...new Set(this.webhooks.map((w) => w.name))].join(', ') || 'none';
    return [...this.unknown].map(([name, targets]) => {
      const some = [...targets].slice(0, 5).join(', ');
      return `alerts: no webhook is named "${name}" (the webhooks are named: ${names}); the alerts of ${some}${targets.size > 5 ? ', …' : ''} went to every webhook: fix the targets file or name a webhook ${name}=…`;
    });
  }
}
