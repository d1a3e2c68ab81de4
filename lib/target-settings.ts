/**
 * What one target of a structured targets file may carry beyond its name (lib/targets-file.ts):
 * plain JSON, so it travels with the target on the check queue and rests in run state.
 */

/** A CA file for one target: a PEM path (or an `s3://bucket/key` object in the functions), added to the run's roots or trusted alone. */
export interface CaSetting {
  file: string;
  mode: 'add' | 'replace';
}

/** One target's settings; an absent field takes the run's (CLI options, the functions' variables). */
export interface TargetSettings {
  /** The name sent as SNI and checked against the certificate, when it is not the host's. */
  servername?: string;
  /** The address to connect to instead of asking DNS (the target's host stays the name checked). */
  address?: string;
  ca?: CaSetting;
  warnDays?: number;
  criticalDays?: number;
  /** The names of the webhooks that get this target's alerts (absent: every webhook; empty: none). */
  alerts?: string[];
  /** Free text shown in alerts, on the status page and kept in the report. */
  labels?: string[];
}

/** The key a CA setting's trust store is kept under: one store per distinct file and mode, however many targets name it. */
export function caKey(ca: CaSetting): string {
  return `${ca.mode}:${ca.file}`;
}

/** The distinct CA settings of these targets' settings, each once. */
export function distinctCas(settings: Iterable<TargetSettings | undefined>): CaSetting[] {
  const found = new Map<string, CaSetting>();
  for (const s of settings) if (s?.ca) found.set(caKey(s.ca), s.ca);
  return [...found.values()];
}
