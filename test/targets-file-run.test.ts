/**
 * A structured targets file in the scheduled run: in one process (a local folder), and fanned
 * out over the check queue (a real SQS-compatible server, the S3-compatible server, the two
 * Lambda doors), each target's settings travelling with it to the worker that checks it.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as checkBatchDoor } from '../handlers/check-batch';
import { handler as scheduledDoor } from '../handlers/scheduled-check';
import { readJobConfig } from '../lib/target-list-config';
import { splitBatches } from '../lib/fan-out';
import type { Report } from '../lib/report';
import { parseBatchMessage } from '../lib/run-state';
import { runScheduled } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { S3ReportStore } from '../lib/store/s3';
import { TrustStore } from '../lib/x509/trust-store';
import { drainQueue } from './fixtures/event-source';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { createQueues, type RunningSqs, startSqsServer } from './fixtures/sqs-server';
import { s3Bucket, s3Client, s3Endpoint } from './fixtures/test-bucket';
import { startTlsServer, type RunningServer } from './fixtures/tls-server';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
jest.setTimeout(60_000);

let pub: Hierarchy;
let internal: Hierarchy;
let soon: RunningServer;
let privateServer: RunningServer;
let dir: string;

beforeAll(async () => {
  [pub, internal] = await Promise.all([hierarchy('RunPublic'), hierarchy('RunInternal')]);
  soon = await startTlsServer({ chain: [await pub.leaf({ cn: 'soon.test', sans: ['soon.test', '127.0.0.1'], notAfter: new Date(Date.now() + 12 * DAY) }), pub.intermediate] });
  privateServer = await startTlsServer({ chain: [await internal.leaf({ cn: 'private.test' }), internal.intermediate] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-fleet-run-'));
});

afterAll(async () => {
  await Promise.all([soon.close(), privateServer.close()]);
});

/** The fleet: the same expiring server under the run's thresholds and its own, the private one with and without its CA, one bad entry. */
function fleetYaml(ca: string): string {
  return [
    'defaults:',
    '  labels: [fleet]',
    'targets:',
    `  - 127.0.0.1:${soon.port}`,
    `  - target: soon.test:${soon.port}`,
    '    address: 127.0.0.1',
    '    warnDays: 10',
    '    labels: [team web, tier 1]',
    `  - target: private.test:${privateServer.port}`,
    '    address: 127.0.0.1',
    `    ca: ${ca}`,
    `  - target: localhost:${privateServer.port}`,
    '    address: 127.0.0.1',
    '    servername: private.test',
    '  - target: bad.test',
    '    warnDays: soon',
  ].join('\n');
}

function byHost(reports: Report[]): Record<string, Report> {
  return Object.fromEntries(reports.map((r) => [r.target.host, r]));
}

function expectSettingsApplied(reports: Record<string, Report>): void {
  expect(reports['127.0.0.1']).toMatchObject({ status: 'warning', labels: ['fleet'] });
  expect(reports['soon.test']).toMatchObject({ status: 'ok', labels: ['team web', 'tier 1'], target: { address: '127.0.0.1' } });
  expect(reports['private.test']).toMatchObject({ status: 'ok', chain: { trusted: true } });
  expect(reports.localhost).toMatchObject({ status: 'critical', chain: { trusted: false }, target: { servername: 'private.test' } });
}

describe('a structured TARGETS_FILE in the scheduled run', () => {
  it('checks each target with its settings in one process, and skips the bad entry by its line', async () => {
    const file = join(dir, 'fleet.yaml');
    await writeFile(join(dir, 'internal-root.pem'), internal.root.pem);
    await writeFile(file, fleetYaml('internal-root.pem'));
    const reportsDir = join(dir, 'reports');
    const config = await readJobConfig({ TARGETS_FILE: file, REPORTS_DIR: reportsDir, CHECK_TIMEOUT_MS: '2000', ALL_ADDRESSES: 'false' });
    expect(config.skipped).toEqual([{ where: `line 16 of ${file}`, entry: 'bad.test', reason: 'warnDays must be a number of days ≥ 0 (whole, at most 3650), got "soon"' }]);

    const summary = await runScheduled(config, { store: new FsReportStore(reportsDir), trustStore: new TrustStore([pub.root.cert], 'the test roots'), log: () => undefined });

    expect(summary).toMatchObject({ targets: 4, reports: 4 });
    const reports = await Promise.all(
      [`127.0.0.1_${soon.port}`, `soon.test_${soon.port}`, `private.test_${privateServer.port}`, `localhost_${privateServer.port}`].map(
        async (key) => JSON.parse(await readFile(join(reportsDir, 'latest', `${key}.json`), 'utf8')) as Report,
      ),
    );
    expectSettingsApplied(byHost(reports));
    // The labels in the fleet index and on the status page.
    const index = JSON.parse(await readFile(join(reportsDir, 'index.json'), 'utf8')) as { targets: { host: string; labels?: string[] }[] };
    expect(index.targets.find((t) => t.host === 'soon.test')?.labels).toEqual(['team web', 'tier 1']);
    expect(await readFile(join(reportsDir, 'index.html'), 'utf8')).toContain(`<td>soon.test:${soon.port} <small>127.0.0.1</small><span>team web, tier 1</span><td>`);
  });

  it('names the line of a YAML syntax error as a list that cannot be read', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'targets:\n  - a.test\n  - target: [b.test\n');
    await expect(readJobConfig({ TARGETS_FILE: file })).rejects.toThrow(expect.objectContaining({ name: 'TargetListError', message: expect.stringMatching(/line \d+: not valid YAML or JSON/) }));
  });

  it('fans out with each target\'s settings in its batch message: an s3:// file and an s3:// CA beside it', async () => {
    const sqs: RunningSqs = await startSqsServer();
    let restoreEnv: () => void = () => undefined;
    try {
      const queues = await createQueues(sqs, 'fleet-settings', 60);
      const prefix = 'fleet-settings';
      const put = (key: string, body: string) => s3Client.send(new PutObjectCommand({ Bucket: s3Bucket, Key: key, Body: body }));
      await put(`${prefix}/config/internal-root.pem`, internal.root.pem);
      await put(`${prefix}/config/fleet.yaml`, fleetYaml('internal-root.pem'));
      await writeFile(join(dir, 'public-root.pem'), pub.root.pem);
      restoreEnv = withEnv({
        TARGETS: undefined,
        TARGETS_FILE: `s3://${s3Bucket}/${prefix}/config/fleet.yaml`,
        REPORTS_DIR: undefined,
        S3_BUCKET: s3Bucket,
        S3_PREFIX: prefix,
        S3_ENDPOINT: s3Endpoint,
        CHECK_QUEUE_URL: queues.url,
        SQS_ENDPOINT: sqs.endpoint,
        ALERT_WEBHOOKS: undefined,
        ALERT_WEBHOOKS_PARAMETER: undefined,
        CHECK_TIMEOUT_MS: '2000',
        ALL_ADDRESSES: 'false',
        BATCH_SIZE: '1',
        CA_FILE: join(dir, 'public-root.pem'),
        CA_MODE: 'replace',
      });
      const planned = await scheduledDoor(sampleEvent<ScheduledEvent>('scheduled.json'), lambdaContext(900_000));
      expect(planned).toMatchObject({ kind: 'fanned-out', batches: 4 });
      const bodies: string[] = [];
      await drainQueue(sqs, queues.url, (event: SQSEvent, context) => {
        bodies.push(...event.Records.map((r) => r.body));
        return checkBatchDoor(event, context ?? lambdaContext(300_000));
      }, { concurrency: 2, idleMs: 500 });
      const carried = bodies.map((b) => parseBatchMessage(b).targets[0]);
      expect(carried).toContainEqual({ target: `soon.test:${soon.port}`, settings: { address: '127.0.0.1', warnDays: 10, labels: ['team web', 'tier 1'] } });
      expect(carried).toContainEqual({
        target: `private.test:${privateServer.port}`,
        settings: { address: '127.0.0.1', labels: ['fleet'], ca: { file: `s3://${s3Bucket}/${prefix}/config/internal-root.pem`, mode: 'add' } },
      });
      const store = new S3ReportStore(s3Client, { bucket: s3Bucket, prefix });
      const reports = await Promise.all(
        [`127.0.0.1_${soon.port}`, `soon.test_${soon.port}`, `private.test_${privateServer.port}`, `localhost_${privateServer.port}`].map(async (key) => (await store.getLatest(key)) as Report),
      );
      expectSettingsApplied(byHost(reports));
    } finally {
      restoreEnv();
      await sqs.close();
    }
  });
});

describe('splitting a run into batch messages', () => {
  it('keeps each message\'s targets under the byte bound, however long their settings', () => {
    const long = { target: 'a.example', settings: { labels: Array.from({ length: 10 }, () => 'x'.repeat(64)) } };
    const batches = splitBatches(Array.from({ length: 500 }, () => long), 500);
    const bytes = batches.map((b) => Buffer.byteLength(JSON.stringify(b)));
    expect(batches.length).toBeGreaterThan(1);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(200_000 + 2);
    expect(batches.flat()).toHaveLength(500);
    expect(splitBatches(['a', 'b', 'c'], 2)).toEqual([['a', 'b'], ['c']]);
  });
});
