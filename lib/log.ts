/** One structured log line: a level, a short message and the facts that go with it. */
export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}
