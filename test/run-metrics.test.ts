/** The run's metrics as CloudWatch reads them: the EMF documents Powertools Metrics writes on stdout. */
import { makeRunMetrics, publishRunMetrics, publishTargetMetrics } from '../handlers/run-metrics';
import type { RunSummary } from '../lib/store/store';
import { sampleReport } from './fixtures/reports';

/** One EMF document, as far as these tests read it. */
interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let written: string[] = [];
let stdout: jest.SpyInstance;

beforeEach(() => {
  written = [];
  // Powertools writes through its own Console on process.stdout, not through the global console.
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
});

afterEach(() => stdout.mockRestore());

function documents(): EmfDocument[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** Each metric of a document with its unit and value. */
function metricsOf(doc: EmfDocument): Record<string, { unit: string; value: unknown }> {
  const [directive] = doc._aws.CloudWatchMetrics;
  return Object.fromEntries(directive.Metrics.map((m) => [m.Name, { unit: m.Unit, value: doc[m.Name] }]));
}

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    startedAt: '2026-11-23T05:00:00.000Z',
    finishedAt: '2026-11-23T05:02:03.456Z',
    durationMs: 123_456,
    targets: 12,
    reports: 13,
    byStatus: { ok: 7, warning: 2, critical: 1, unknown: 3 },
    notOk: [],
    lowestDaysRemaining: 4.5,
    reportDurationMs: { median: 300, max: 9000 },
    storeFailures: [
      { key: 'latest/a.example_443.json', error: 'SlowDown' },
      { key: 'latest/b.example_443.json', error: 'SlowDown' },
    ],
    notChecked: ['c.example', 'd.example', 'e.example', 'f.example'],
    skipped: [{ where: 'line 3 of targets.txt', entry: 'exa mple.com', reason: 'not a host name' }],
    alerts: {
      targets: 5,
      deliveries: [
        { sink: 'slack https://hooks.slack.com/…', ok: true, attempts: 1, httpStatus: 200 },
        { sink: 'discord https://discord.com/…', ok: false, attempts: 3, httpStatus: 500, error: 'HTTP 500' },
        { sink: 'webhook http://127.0.0.1:9/…', ok: false, attempts: 3, httpStatus: null, error: 'connection refused' },
      ],
      errors: [],
    },
    ...overrides,
  };
}

describe('publishRunMetrics', () => {
  it('writes one EMF document in namespace certcheck with the service dimension the alarms read', () => {
    publishRunMetrics(summary(), makeRunMetrics({}));

    const docs = documents();
    expect(docs).toHaveLength(1);
    const [directive] = docs[0]._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('certcheck');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(docs[0].service).toBe('certcheck');
    expect(Math.abs(docs[0]._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('gives every metric of the run with its unit and value, and no other', () => {
    publishRunMetrics(summary(), makeRunMetrics({}));

    expect(metricsOf(documents()[0])).toEqual({
      RunsFinished: { unit: 'Count', value: 1 },
      TargetsOk: { unit: 'Count', value: 7 },
      TargetsWarning: { unit: 'Count', value: 2 },
      TargetsCritical: { unit: 'Count', value: 1 },
      TargetsUnknown: { unit: 'Count', value: 3 },
      LowestDaysRemaining: { unit: 'None', value: 4.5 },
      StoreFailures: { unit: 'Count', value: 2 },
      FailedDeliveries: { unit: 'Count', value: 2 },
      SkippedLines: { unit: 'Count', value: 1 },
      NotChecked: { unit: 'Count', value: 4 },
      RunDuration: { unit: 'Milliseconds', value: 123_456 },
    });
  });

  it('leaves LowestDaysRemaining out when no certificate was seen, and counts absent statuses and deliveries as 0', () => {
    publishRunMetrics(summary({ byStatus: { unknown: 2 }, lowestDaysRemaining: null, alerts: undefined, storeFailures: [], notChecked: [], skipped: [] }), makeRunMetrics({}));

    const metrics = metricsOf(documents()[0]);
    expect(metrics).not.toHaveProperty('LowestDaysRemaining');
    expect(metrics).toMatchObject({
      RunsFinished: { value: 1 },
      TargetsOk: { value: 0 },
      TargetsWarning: { value: 0 },
      TargetsCritical: { value: 0 },
      TargetsUnknown: { value: 2 },
      FailedDeliveries: { value: 0 },
      StoreFailures: { value: 0 },
      SkippedLines: { value: 0 },
      NotChecked: { value: 0 },
    });
  });

  it('gives a certificate expired days ago as a negative LowestDaysRemaining', () => {
    publishRunMetrics(summary({ lowestDaysRemaining: -3.25 }), makeRunMetrics({}));

    expect(metricsOf(documents()[0]).LowestDaysRemaining).toEqual({ unit: 'None', value: -3.25 });
  });

  it('takes the namespace and service from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME', () => {
    publishRunMetrics(summary(), makeRunMetrics({ POWERTOOLS_METRICS_NAMESPACE: 'certcheck-staging', POWERTOOLS_SERVICE_NAME: 'fleet-a' }));

    const [doc] = documents();
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('certcheck-staging');
    expect(doc.service).toBe('fleet-a');
  });
});

describe('publishTargetMetrics', () => {
  const checkedAt = '2026-11-23T05:00:00.000Z';
  const reports = [
    sampleReport({ host: 'shop.example.com', address: '203.0.113.7', checkedAt, leaf: { daysRemaining: 12.5 } }),
    sampleReport({ host: 'api.example.com', port: 8443, address: '2001:db8::1', checkedAt, leaf: { daysRemaining: 61 } }),
    sampleReport({ host: 'down.example.com', address: '203.0.113.9', checkedAt, status: 'unknown' }),
  ];

  it('writes nothing unless per-target metrics were asked for', () => {
    publishTargetMetrics(reports, { perTarget: false, perAddress: true }, makeRunMetrics({}));

    expect(written).toEqual([]);
  });

  it('writes DaysRemaining per report with a certificate, its target key as a dimension beside service', () => {
    publishTargetMetrics(reports, { perTarget: true, perAddress: true }, makeRunMetrics({}));

    const docs = documents();
    expect(docs).toHaveLength(2);
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('certcheck');
      expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'target']]);
      expect(doc.service).toBe('certcheck');
    }
    expect(docs.map((doc) => ({ target: doc.target, metrics: metricsOf(doc) }))).toEqual([
      { target: 'shop.example.com_443_203.0.113.7', metrics: { DaysRemaining: { unit: 'None', value: 12.5 } } },
      { target: 'api.example.com_8443_2001-db8--1', metrics: { DaysRemaining: { unit: 'None', value: 61 } } },
    ]);
  });

  it('names the target without its address when addresses are not checked one by one', () => {
    publishTargetMetrics(reports.slice(0, 1), { perTarget: true, perAddress: false }, makeRunMetrics({}));

    expect(documents().map((doc) => doc.target)).toEqual(['shop.example.com_443']);
  });
});
