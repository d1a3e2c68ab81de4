/**
 * The run fanned out over the check queue, end to end on 127.0.0.1: a real SQS-compatible server
 * (fauxqs) with a dead-letter queue, the S3-compatible server, real webhook receivers, the two
 * Lambda doors; only Lambda's event source mapping is played by the test (test/fixtures/event-source).
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as checkBatchDoor } from '../handlers/check-batch';
import { handler as scheduledDoor } from '../handlers/scheduled-check';
import { makeSqsClient, SqsBatchQueue } from '../lib/check-queue';
import type { BatchMessage } from '../lib/run-state';
import { FsReportStore } from '../lib/store/fs';
import { S3ReportStore } from '../lib/store/s3';
import type { RunSummary } from '../lib/store/store';
import { recordOf, drainQueue } from './fixtures/event-source';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { createQueues, type RunningSqs, startRefusingProxy, startSqsServer, type TestQueues, waitingBodies } from './fixtures/sqs-server';
import { s3Bucket, s3Client, s3Endpoint, s3Keys } from './fixtures/test-bucket';
import { closedPort, type RunningServer, startRawServer, startTlsServer } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';
import { pageRowKeys } from './fixtures/fleet';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
jest.setTimeout(60_000);

const event = sampleEvent<ScheduledEvent>('scheduled.json');
let sqs: RunningSqs;
let receiver: WebhookReceiver;
let pki: Hierarchy;
let healthy: RunningServer;
let expiring: RunningServer;
let silent: RunningServer;
let closed: number;
let restoreEnv: () => void = () => undefined;
let queueCount = 0;

beforeAll(async () => {
  [sqs, receiver, pki, closed] = await Promise.all([startSqsServer(), startWebhookReceiver(), hierarchy('FanOut'), closedPort()]);
  healthy = await startTlsServer({ chain: [await pki.leaf({ cn: 'fine', sans: ['127.0.0.1'] }), pki.intermediate] });
  expiring = await startTlsServer({ chain: [await pki.leaf({ cn: 'soon', sans: ['127.0.0.1'], notAfter: new Date(Date.now() + 5.5 * DAY) }), pki.intermediate] });
  // Accepts and says nothing: a check of it lasts the whole timeout.
  silent = await startRawServer(() => undefined);
});

afterEach(() => restoreEnv());

afterAll(async () => {
  await Promise.all([healthy.close(), expiring.close(), silent.close(), receiver.close()]);
  await sqs.close();
});

/** A fresh queue pair, prefix and webhook path for one test, set in the environment the doors read. */
async function setUp(name: string, extra: Record<string, string | undefined> = {}, visibilitySeconds = 60): Promise<{ queues: TestQueues; prefix: string; hook: string }> {
  const queues = await createQueues(sqs, `checks-${name}-${++queueCount}`, visibilitySeconds);
  const prefix = `fan-out-${name}-${queueCount}`;
  const hook = `/${prefix}`;
  restoreEnv = withEnv({
    TARGETS_FILE: undefined,
    REPORTS_DIR: undefined,
    S3_BUCKET: s3Bucket,
    S3_PREFIX: prefix,
    S3_ENDPOINT: s3Endpoint,
    CHECK_QUEUE_URL: queues.url,
    SQS_ENDPOINT: sqs.endpoint,
    ALERT_WEBHOOKS: `webhook+${receiver.url(hook)}`,
    ALERT_WEBHOOKS_PARAMETER: undefined,
    CHECK_TIMEOUT_MS: '1500',
    CA_FILE: undefined,
    ...extra,
  });
  return { queues, prefix, hook };
}

/** The trust store the doors use does not know the test CA: the checks here still run end to end; chain verdicts are other tests' business. */
function store(prefix: string): S3ReportStore {
  return new S3ReportStore(s3Client, { bucket: s3Bucket, prefix });
}

async function summaries(prefix: string): Promise<RunSummary[]> {
  const keys = (await s3Keys(`${prefix}/runs/`)).filter((k) => k.endsWith('.json'));
  return Promise.all(keys.map(async (key) => (await store(prefix).getRunSummary(key.slice(`${prefix}/runs/`.length, -'.json'.length))) as RunSummary));
}

const worker = (event: SQSEvent) => checkBatchDoor(event, lambdaContext(300_000));

/**
 * A Lambda context whose deadline is near once the first target has started: the run asks the
 * time left before each target (CONCURRENCY=1), and is told 15 minutes, then 10 seconds.
 */
function nearingDeadline(): Context {
  let asked = 0;
  return { ...lambdaContext(900_000), getRemainingTimeInMillis: () => (asked++ === 0 ? 900_000 : 10_000) };
}

function loopbackTargets(count: number): string[] {
  // Every 127.x.y.z is this machine: distinct targets on one closed port.
  return Array.from({ length: count }, (_, i) => `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}:${closed}`);
}

describe('the run fanned out over the check queue', () => {
  it('splits 500 targets into batches, checks them in workers and finishes once: one summary, one digest', async () => {
    const targets = [...loopbackTargets(500), `127.0.0.1:${healthy.port}`, `127.0.0.1:${expiring.port}`];
    const { queues, prefix, hook } = await setUp('500', { TARGETS: targets.join(','), BATCH_SIZE: '50', CONCURRENCY: '16' });

    const planned = await scheduledDoor(event, lambdaContext(900_000));
    expect(planned).toMatchObject({ kind: 'fanned-out', batches: 11, handedOver: 502 });
    expect((await summaries(prefix)).length).toBe(0);
    const invocations = await drainQueue(sqs, queues.url, worker, { concurrency: 4, idleMs: 500 });

    expect(invocations).toBe(11);
    const [summary, ...more] = await summaries(prefix);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ targets: 502, reports: 502, batches: 11, notChecked: [], storeFailures: [] });
    expect(summary.byStatus.unknown).toBe(500);
    expect(summary.notOk).toHaveLength(502 - summary.byStatus.ok);
    expect((await s3Keys(`${prefix}/latest/`)).length).toBe(502);
    // The fleet index, streamed by the finishing worker from every batch's entries.
    expect((await store(prefix).getIndex())?.targets).toHaveLength(502);
    // And the status page beside it, one row per target.
    expect(pageRowKeys((await store(prefix).getPage()) ?? '')).toHaveLength(502);
    const posts = receiver.postsTo(hook);
    expect(posts).toHaveLength(1);
    const digest = posts[0].body as { total: number; alerts: unknown[] };
    expect(digest.total).toBe(summary.alerts?.targets);
    expect(digest.total).toBeGreaterThanOrEqual(500);
    expect(digest.alerts).toHaveLength(200);
  }, 120_000);

  it('a worker killed mid-batch: the message comes back, no report is lost, the alert goes out once', async () => {
    const targets = [`127.0.0.1:${healthy.port}`, `127.0.0.1:${closed}`, `127.0.0.1:${silent.port}`, `127.0.0.2:${closed}`];
    const { queues, prefix, hook } = await setUp('killed', { TARGETS: targets.join(','), BATCH_SIZE: '2', CONCURRENCY: '1', CHECK_TIMEOUT_MS: '3000' }, 4);
    await scheduledDoor(event, lambdaContext(900_000));

    // One worker takes a batch, stores its first report and dies before the batch is done.
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'test', 'fixtures', 'worker-process.js')], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('received') && resolve());
      child.once('exit', () => reject(new Error('the worker ended before it received a message')));
    });
    const deadline = Date.now() + 10_000;
    while ((await s3Keys(`${prefix}/latest/`)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect((await s3Keys(`${prefix}/latest/`)).length).toBeGreaterThan(0);
    expect((await s3Keys(`${prefix}/run-state/`)).map((k) => k.split('/').pop())).toEqual(['plan.json']);

    await drainQueue(sqs, queues.url, worker, { concurrency: 2, idleMs: 5_000 });

    const [summary, ...more] = await summaries(prefix);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ targets: 4, reports: 4, batches: 2, notChecked: [] });
    expect((await s3Keys(`${prefix}/latest/`)).length).toBe(4);
    expect(receiver.postsTo(hook)).toHaveLength(1);
  });

  it('a message delivered twice is checked once; two workers racing to finish send one digest and store one summary', async () => {
    const targets = [`127.0.0.1:${closed}`, `127.0.0.2:${closed}`, `127.0.0.3:${closed}`, `127.0.0.4:${closed}`];
    const { queues, prefix, hook } = await setUp('twice', { TARGETS: targets.join(','), BATCH_SIZE: '2' });
    await scheduledDoor(event, lambdaContext(900_000));
    const answer = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queues.url, MaxNumberOfMessages: 10, AttributeNames: ['All'] }));
    const [a, b] = (answer.Messages ?? []).map((m) => ({ Records: [recordOf(m, queues.url)] }));
    expect(b).toBeDefined();

    expect(await worker(a)).toEqual({ batchItemFailures: [] });
    const historyAfterFirst = await s3Keys(`${prefix}/reports/`);
    expect(await worker(a)).toEqual({ batchItemFailures: [] });
    expect(await s3Keys(`${prefix}/reports/`)).toEqual(historyAfterFirst);

    const raced = await Promise.all([worker(b), worker(b), worker(a)]);
    expect(raced).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await summaries(prefix)).toHaveLength(1);
    expect(receiver.postsTo(hook)).toHaveLength(1);
    expect((receiver.postsTo(hook)[0].body as { total: number }).total).toBe(4);

    // The next run finds every target as it was: its workers, each with its own targets' memory, tell nothing.
    await scheduledDoor(event, lambdaContext(900_000));
    await drainQueue(sqs, queues.url, worker, { concurrency: 2, idleMs: 500 });
    expect(await summaries(prefix)).toHaveLength(2);
    expect(receiver.postsTo(hook)).toHaveLength(1);
  });

  it('a worker that died while finishing: its stale claim is taken over by the next delivery, which finishes the run', async () => {
    const { queues, prefix, hook } = await setUp('stale', { TARGETS: `127.0.0.1:${closed},127.0.0.2:${closed}`, BATCH_SIZE: '1' });
    const planned = (await scheduledDoor(event, lambdaContext(900_000))) as { runId: string };
    expect(planned).toMatchObject({ kind: 'fanned-out', batches: 2 });
    // As if a worker had claimed the finish 20 minutes ago and died.
    await store(prefix).claimRunState(planned.runId, 'finish-0', { owner: 'gone', batch: 0, claimedAt: new Date(Date.now() - 20 * 60_000).toISOString() });

    await drainQueue(sqs, queues.url, worker, { concurrency: 1, idleMs: 500 });

    expect(await summaries(prefix)).toHaveLength(1);
    expect(receiver.postsTo(hook)).toHaveLength(1);
    expect((await s3Keys(`${prefix}/run-state/`)).map((k) => k.split('/').pop()).sort()).toEqual(['batch-000000.json', 'batch-000001.json', 'finish-0.json', 'finish-1.json', 'plan.json']);
  });

  it('a fresh claim is left to its worker: no second finish', async () => {
    const { queues, prefix, hook } = await setUp('fresh-claim', { TARGETS: `127.0.0.1:${closed},127.0.0.2:${closed}`, BATCH_SIZE: '1' });
    const planned = (await scheduledDoor(event, lambdaContext(900_000))) as { runId: string };
    await store(prefix).claimRunState(planned.runId, 'finish-0', { owner: 'busy', batch: 0, claimedAt: new Date(Date.now() - 60_000).toISOString() });

    await drainQueue(sqs, queues.url, worker, { concurrency: 1, idleMs: 500 });

    expect(await summaries(prefix)).toHaveLength(0);
    expect(receiver.postsTo(hook)).toHaveLength(0);
  });

  it('exactly one of two racing claims wins, on S3 and in a folder', async () => {
    const s3 = store('claims');
    const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => s3.claimRunState('run-1', 'finish', { batch: i })));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await s3.claimRunState('run-1', 'finish', { batch: 9 })).toBe(false);
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-claims-'));
    const fs = new FsReportStore(dir);
    const local = await Promise.all(Array.from({ length: 5 }, (_, i) => fs.claimRunState('run-1', 'finish', { batch: i })));
    expect(local.filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'run-state', 'run-1', 'finish.json'), 'utf8'))).toEqual({ batch: local.indexOf(true) });
  });

  it('a message that is not a batch fails three times and lands in the dead-letter queue', async () => {
    const { queues } = await setUp('poison', { TARGETS: `127.0.0.1:${closed}` }, 1);
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.url, MessageBody: '{"schemaVersion": 1, "runId": "x"}' }));

    const invocations = await drainQueue(sqs, queues.url, worker, { concurrency: 1, idleMs: 3_500 });

    expect(invocations).toBe(3);
    expect(await waitingBodies(sqs, queues.deadLetterUrl)).toEqual(['{"schemaVersion": 1, "runId": "x"}']);
  });

  it('a queue that refuses the batches: they are recorded as not checked, and the planner finishes the run and says so', async () => {
    const targets = [`127.0.0.1:${closed}`, `127.0.0.2:${closed}`, `127.0.0.3:${closed}`];
    const { prefix, hook } = await setUp('refused', { TARGETS: targets.join(','), BATCH_SIZE: '2', CHECK_QUEUE_URL: `http://127.0.0.1:1/000000000000/no-such-queue` });

    const outcome = await scheduledDoor(event, lambdaContext(900_000));

    expect(outcome).toMatchObject({ kind: 'fanned-out', batches: 2 });
    const [refused, ...more] = await summaries(prefix);
    expect(more).toEqual([]);
    expect(refused).toMatchObject({ targets: 3, reports: 0, notChecked: targets, errors: [expect.stringContaining('not sent to the check queue'), expect.stringContaining('not sent to the check queue')] });
    expect(receiver.postsTo(hook).map((p) => (p.body as { alerts: { target: string }[] }).alerts.map((a) => a.target))).toContainEqual(['this run']);
  });

  it('near the deadline a run stops taking targets and hands the rest to the queue; the workers finish it', async () => {
    const targets = [`127.0.0.1:${closed}`, `127.0.0.2:${closed}`, `127.0.0.3:${closed}`, `127.0.0.4:${closed}`];
    // A list of one batch runs in the scheduled function itself.
    const { queues, prefix, hook } = await setUp('deadline', { TARGETS: targets.join(','), BATCH_SIZE: '4', CONCURRENCY: '1' });

    const outcome = await scheduledDoor(event, nearingDeadline());
    expect(outcome).toMatchObject({ kind: 'fanned-out', batches: 2, handedOver: 3 });

    await drainQueue(sqs, queues.url, worker, { concurrency: 2, idleMs: 500 });

    const [summary, ...more] = await summaries(prefix);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ targets: 4, reports: 4, batches: 2, notChecked: [] });
    expect(receiver.postsTo(hook)).toHaveLength(1);
    expect((receiver.postsTo(hook)[0].body as { total: number }).total).toBe(4);
  });

  it('without a queue, a run near the deadline records the rest as not checked and says so in its alert', async () => {
    const targets = [`127.0.0.3:${closed}`, `127.0.0.1:${closed}`, `127.0.0.2:${closed}`];
    const { prefix, hook } = await setUp('deadline-alone', { TARGETS: targets.join(','), CHECK_QUEUE_URL: undefined, CONCURRENCY: '1' });

    const summary = (await scheduledDoor(event, nearingDeadline())) as RunSummary;

    expect(summary).toMatchObject({ targets: 3, reports: 1, notChecked: [`127.0.0.1:${closed}`, `127.0.0.2:${closed}`] });
    expect((await summaries(prefix))[0].notChecked).toEqual(summary.notChecked);
    const body = receiver.postsTo(hook)[0].body as { alerts: { target: string; status: string; problems: string[] }[] };
    expect(body.alerts).toContainEqual(expect.objectContaining({ target: 'this run', status: 'unknown', problems: [expect.stringContaining(`2 target(s) were not checked in this run (127.0.0.1:${closed}, 127.0.0.2:${closed})`)] }));
  });
});

describe('sending the batches to the check queue', () => {
  const batch = (n: number, targets: string[]): BatchMessage => ({
    schemaVersion: 1,
    runId: 'run-send',
    batch: n,
    targets,
    settings: { timeoutMs: 10_000, warnDays: 30, criticalDays: 7, allAddresses: true, ipv6: true, concurrency: 16, thresholds: [30, 7] },
  });
  const queueAt = (endpoint: string, url: string) => new SqsBatchQueue(makeSqsClient({ url, endpoint }), url);

  async function waiting(url: string): Promise<number> {
    const { Attributes } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.ApproximateNumberOfMessages);
  }

  it('sends ten batches of 500 long targets, over 1 MiB together, in requests the queue takes', async () => {
    const { queues } = await setUp('long-batches');
    const name = (b: number, i: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.host-${b}-${i}.example.test:8443`;
    const messages = Array.from({ length: 10 }, (_, b) => batch(b, Array.from({ length: 500 }, (_, i) => name(b, i))));
    expect(Buffer.byteLength(JSON.stringify(messages))).toBeGreaterThan(1_048_576);

    expect(await queueAt(sqs.endpoint, queues.url).send(messages)).toEqual({ failed: [], error: null });
    expect(await waiting(queues.url)).toBe(10);
  });

  it('sends ten batches a request, and sends again the entries the queue refused', async () => {
    const { queues } = await setUp('refused-once');
    const proxy = await startRefusingProxy(sqs, 1);
    try {
      const sent = await queueAt(proxy.endpoint, queues.url).send(Array.from({ length: 12 }, (_, b) => batch(b, [`host-${b}.example.test`])));

      expect(sent).toEqual({ failed: [], error: null });
      const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
      expect(proxy.requests).toEqual([ids(0, 10), ids(0, 10), ids(10, 12), ids(10, 12)]);
      expect(await waiting(queues.url)).toBe(12);
    } finally {
      await proxy.close();
    }
  });

  it('gives up on an entry after three attempts, naming the batches left and why', async () => {
    const { queues } = await setUp('refused-always');
    const proxy = await startRefusingProxy(sqs, Infinity);
    try {
      const sent = await queueAt(proxy.endpoint, queues.url).send([batch(4, ['a.example.test']), batch(5, ['b.example.test'])]);

      expect(sent).toEqual({ failed: [4, 5], error: 'InternalError: try again' });
      expect(proxy.requests).toEqual([['4', '5'], ['4', '5'], ['4', '5']]);
      expect(await waiting(queues.url)).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
