/**
 * The numeric settings' ranges: one rule for the CLI's options and the functions' variables.
 * A timeout of 0 would time every target out; no concurrency checks nothing; a critical
 * threshold above the warning one is refused (config.ts checkThresholds; a targets file alike).
 */
export const SETTING_RANGES = {
  warnDays: [0, 3650],
  criticalDays: [0, 3650],
  timeoutMs: [100, 120_000],
  concurrency: [1, 1024],
  batchSize: [1, 500],
} as const satisfies Record<string, readonly [number, number]>;
