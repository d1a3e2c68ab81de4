/**
 * The steps of a scheduled run (plan → check batches → finish) on a local folder store (and on
 * the S3-compatible server where its conditional writes matter), with closed ports on 127.0.0.1
 * as targets (each check fails at once) and a real webhook receiver. The check queue and its
 * event source are played by the test: the queue keeps what it is sent, and the test delivers
 * each batch to a worker.
 */
import type { SQSEvent } from 'aws-lambda';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as checkBatchDoor } from '../handlers/check-batch';
import { WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhookList } from '../lib/alerts/webhooks';
import type { BatchQueue } from '../lib/check-queue';
import { readJobConfig } from '../lib/target-list-config';
import { runBatchMessage, type WorkerDeps } from '../lib/fan-out';
import { checkBatch } from '../lib/run-batch';
import { type BatchMessage, parseBatchMessage, runIdOf, settingsOf } from '../lib/run-state';
import { type RunDeps, startRun } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { S3ReportStore } from '../lib/store/s3';
import type { RunSummary } from '../lib/store/store';
import { TrustStore } from '../lib/x509/trust-store';
import { recordOf } from './fixtures/event-source';
import { lambdaContext, withEnv } from './fixtures/lambda';
import { s3Bucket, s3Client, s3Endpoint, s3Keys } from './fixtures/test-bucket';
import { closedPort } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const MINUTE = 60_000;
let receiver: WebhookReceiver;
let closed: number;
let hooks = 0;

beforeAll(async () => {
  [receiver, closed] = await Promise.all([startWebhookReceiver(), closedPort()]);
});

afterAll(() => receiver.close());

/** Distinct targets that all refuse the connection at once. */
function down(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 1}:${closed}`);
}

/** A queue that takes every batch and keeps it for the test to deliver. */
function keepingQueue(): BatchQueue & { sent: BatchMessage[] } {
  const sent: BatchMessage[] = [];
  return { sent, send: (messages) => (sent.push(...messages), Promise.resolve({ failed: [], error: null })) };
}

/** A fresh folder store, the run's dependencies and a webhook path of its own. */
async function setUp(name: string, extra: Partial<RunDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), `certcheck-steps-${name}-`));
  const hook = `/${name}-${++hooks}`;
  const { webhooks, errors } = parseWebhookList(`webhook+${receiver.url(hook)}`);
  const lines: Record<string, unknown>[] = [];
  const deps: RunDeps & WorkerDeps = {
    store: new FsReportStore(dir),
    trustStore: new TrustStore([], 'no roots'),
    log: (line) => lines.push(line),
    alerting: { webhooks, errors, poster: new WebhookPoster(fetch, { timeoutMs: 1_000, attempts: 1, backoffMs: 10, maxWaitMs: 100 }) },
    ...extra,
  } as RunDeps & WorkerDeps;
  const worker = (at?: Date): WorkerDeps => ({ ...deps, alerting: () => Promise.resolve(deps.alerting), now: at ? () => at : deps.now });
  return { dir, hook, deps, lines, worker };
}

async function config(targets: readonly string[], env: Record<string, string> = {}) {
  return readJobConfig({ TARGETS: targets.join(','), CHECK_TIMEOUT_MS: '2000', CONCURRENCY: '1', ...env });
}

async function storedSummaries(dir: string): Promise<RunSummary[]> {
  const names = await readdir(join(dir, 'runs')).catch(() => []);
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, 'runs', n), 'utf8')) as RunSummary));
}

/** Time left that is plenty while the first target is asked about, then too little. */
function nearingDeadline(): () => number {
  let asked = 0;
  return () => (asked++ === 0 ? 15 * MINUTE : 10_000);
}

describe('finishing a run fanned out over the queue', () => {
  it('a message delivered again after the run finished does not finish it again, even once the finish claim is stale', async () => {
    const { dir, hook, deps, worker } = await setUp('late');
    const queue = keepingQueue();
    const outcome = await startRun(await config(down(2), { BATCH_SIZE: '1' }), { ...deps, queue });
    expect(outcome).toMatchObject({ kind: 'fanned-out', batches: 2 });
    const [first, second] = queue.sent;

    expect((await runBatchMessage(first, worker())).finished).toBeNull();
    const finished = (await runBatchMessage(second, worker())).finished;
    expect(finished).toMatchObject({ targets: 2, reports: 2 });
    expect(receiver.postsTo(hook)).toHaveLength(1);

    // Twenty minutes on, the claim that finished the run looks stale.
    const late = await runBatchMessage(first, worker(new Date(Date.now() + 20 * MINUTE)));

    expect(late).toEqual({ checked: false, finished: null, finishMs: null });
    expect(receiver.postsTo(hook)).toHaveLength(1);
    expect(await storedSummaries(dir)).toEqual([finished]);
  });

  it('leaves a finish claim younger than 16 minutes to its worker (Lambda runs one 15 at most), and takes over an older one', async () => {
    const { dir, hook, deps, worker } = await setUp('claim-age');
    const queue = keepingQueue();
    const outcome = await startRun(await config(down(2), { BATCH_SIZE: '1' }), { ...deps, queue });
    const runId = (outcome as { runId: string }).runId;
    const claimedAt = new Date();
    await deps.store.claimRunState(runId, 'finish-0', { owner: 'elsewhere', batch: 0, claimedAt: claimedAt.toISOString() });
    const at = (ms: number) => new Date(claimedAt.getTime() + ms);

    await runBatchMessage(queue.sent[0], worker(at(MINUTE)));
    expect((await runBatchMessage(queue.sent[1], worker(at(16 * MINUTE - 1_000)))).finished).toBeNull();
    expect(await storedSummaries(dir)).toEqual([]);

    expect((await runBatchMessage(queue.sent[1], worker(at(16 * MINUTE + 1_000)))).finished).toMatchObject({ reports: 2 });
    expect(receiver.postsTo(hook)).toHaveLength(1);
    expect((await readdir(join(dir, 'run-state', runId))).sort()).toEqual(['batch-000000.json', 'batch-000001.json', 'finish-0.json', 'finish-1.json', 'plan.json']);
  });
});

/**
 * A create-only write of `key` to the test bucket that stays in flight (half its body sent) until
 * `complete` is called: another worker's claim, caught mid-write.
 */
async function writeInFlight(key: string, body: string): Promise<{ complete: () => Promise<number> }> {
  const req = request(`${s3Endpoint}/${s3Bucket}/${key}`, { method: 'PUT', headers: { 'if-none-match': '*', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0))));
    req.on('error', reject);
  });
  req.write(body.slice(0, 5));
  // The server has taken the write once its first bytes are there.
  for (let waited = 0; !(await s3Keys(key)).includes(key); waited += 10) {
    if (waited > 5_000) throw new Error(`the write of ${key} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { complete: () => (req.end(body.slice(5)), answered) };
}

describe('the finish claim on S3', () => {
  it("leaves the finish to another worker whose claim is still being written, though that claim cannot be read yet", async () => {
    const prefix = `steps-claim-in-flight-${Date.now()}`;
    const { hook, deps, worker } = await setUp('claim-in-flight', { store: new S3ReportStore(s3Client, { bucket: s3Bucket, prefix }) });
    const queue = keepingQueue();
    const { runId } = (await startRun(await config(down(2), { BATCH_SIZE: '1' }), { ...deps, queue })) as { runId: string };
    await runBatchMessage(queue.sent[0], worker());
    const other = await writeInFlight(`${prefix}/run-state/${runId}/finish-0.json`, JSON.stringify({ owner: 'elsewhere', batch: 0, claimedAt: new Date().toISOString() }));

    let written = 0;
    const outcome = await runBatchMessage(queue.sent[1], worker()).finally(async () => {
      written = await other.complete();
    });

    expect(outcome).toEqual({ checked: true, finished: null, finishMs: null });
    expect(written).toBe(200);
    expect(receiver.postsTo(hook)).toEqual([]);
    expect(await s3Keys(`${prefix}/runs/`)).toEqual([]);
    expect((await s3Keys(`${prefix}/run-state/`)).map((k) => k.split('/').pop())).toEqual(['batch-000000.json', 'batch-000001.json', 'finish-0.json', 'plan.json']);
    expect(await deps.store.getRunState(runId, 'finish-0')).toMatchObject({ owner: 'elsewhere' });
  });
});

describe('a run near the Lambda deadline', () => {
  it('keeps four check timeouts and 45 s back: with 10 s checks, 85 s left starts no target, a moment more starts them', async () => {
    const targets = down(2);
    const cfg = await config(targets, { CHECK_TIMEOUT_MS: '10000' });
    const tooLate = await setUp('margin-late', { remainingMs: () => 85_000 });
    const inTime = await setUp('margin-in-time', { remainingMs: () => 85_001 });

    const late = await startRun(cfg, tooLate.deps);
    const started = await startRun(cfg, inTime.deps);

    expect(late).toMatchObject({ kind: 'finished', summary: { reports: 0, notChecked: targets } });
    expect(started).toMatchObject({ kind: 'finished', summary: { reports: 2, notChecked: [] } });
  });

  it('without a queue, tells even a single target it did not get to', async () => {
    const targets = down(2);
    const { hook, deps } = await setUp('one-left', { remainingMs: nearingDeadline() });

    const outcome = await startRun(await config(targets), deps);

    expect(outcome).toMatchObject({ kind: 'finished', summary: { reports: 1, notChecked: [targets[1]] } });
    const body = receiver.postsTo(hook)[0].body as { alerts: { target: string; status: string; problems: string[] }[] };
    expect(body.alerts).toContainEqual(
      expect.objectContaining({ target: 'this run', status: 'unknown', problems: [expect.stringContaining(`1 target(s) were not checked in this run (${targets[1]})`)] }),
    );
  });

  it('finishes here, naming the rest as not checked, when the plan of the hand-over cannot be stored', async () => {
    const targets = down(3);
    const now = new Date();
    const queue = keepingQueue();
    const { dir, hook, deps } = await setUp('hand-over-fails', { remainingMs: nearingDeadline(), now: () => now, queue });
    // The first batch's result can be stored, the plan cannot: a folder stands where it goes.
    await mkdir(join(dir, 'run-state', runIdOf(now), 'plan.json'), { recursive: true });
    await writeFile(join(dir, 'run-state', runIdOf(now), 'plan.json', 'in-the-way'), '');

    const outcome = await startRun(await config(targets, { BATCH_SIZE: '3' }), deps);

    expect(queue.sent).toEqual([]);
    expect(outcome.kind).toBe('finished');
    const { summary } = outcome as { summary: RunSummary };
    expect(summary).toMatchObject({ targets: 3, reports: 1, notChecked: targets.slice(1), errors: [expect.stringContaining('hand-over to the queue failed: cannot write')] });
    expect(summary).not.toHaveProperty('batches');
    expect(await storedSummaries(dir)).toEqual([summary]);
    expect(receiver.postsTo(hook)).toHaveLength(1);
  });

  it('a worker whose deadline is near checks nothing of its batch: the run finishes naming the batch as not checked', async () => {
    const targets = down(2);
    const { dir, deps } = await setUp('worker-deadline');
    const restore = withEnv({ REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_QUEUE_URL: undefined, ALERT_WEBHOOKS: undefined, ALERT_WEBHOOKS_PARAMETER: undefined });
    try {
      const queue = keepingQueue();
      await startRun(await config(targets, { BATCH_SIZE: '1' }), { ...deps, queue });
      const events: SQSEvent[] = queue.sent.map((m, i) => ({ Records: [recordOf({ MessageId: `m${i}`, Body: JSON.stringify(m) }, 'http://127.0.0.1/000000000000/checks')] }));

      // 2 s checks keep 53 s back: 50 s left is too little to start one.
      for (const event of events) expect(await checkBatchDoor(event, lambdaContext(50_000))).toEqual({ batchItemFailures: [] });
    } finally {
      restore();
    }

    const [summary, ...more] = await storedSummaries(dir);
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ targets: 2, reports: 0, batches: 2, notChecked: targets });
    await expect(readdir(join(dir, 'latest'))).rejects.toThrow('ENOENT');
  });
});

describe('checking a batch', () => {
  it('names a line that no longer parses as not checked, with why, and checks the others', async () => {
    const { deps } = await setUp('bad-line');
    const [target] = down(1);
    const settings = settingsOf(await config([target]));

    const result = await checkBatch({ schemaVersion: 1, runId: 'r', batch: 0, targets: [target, 'exa mple.com'], settings }, deps);

    expect(result).toMatchObject({ targets: 2, reports: 1, notChecked: ['exa mple.com'], errors: [expect.stringContaining('contains spaces')] });
  });
});

describe('a queue message', () => {
  const good: BatchMessage = {
    schemaVersion: 1,
    runId: '2026-11-27T05-00-00.000Z',
    batch: 3,
    targets: ['example.com', 'example.org:8443'],
    settings: { timeoutMs: 10_000, warnDays: 30, criticalDays: 7, allAddresses: true, ipv6: true, concurrency: 16, thresholds: [30, 7] },
  };
  const body = (change: Record<string, unknown>) => JSON.stringify({ ...good, ...change });

  it('is read as a batch when it is one', () => {
    expect(parseBatchMessage(JSON.stringify(good))).toEqual(good);
  });

  it.each([
    ['not JSON', '{"schemaVersion": 1,', /^not a batch of targets: .*JSON/],
    ['another schema version', body({ schemaVersion: 2 }), 'not a batch of targets: schemaVersion is not 1'],
    ['a run id that climbs out of its folder', body({ runId: '../../latest/x' }), 'not a batch of targets: no run id'],
    ['a run id with a slash', body({ runId: 'a/b' }), 'not a batch of targets: no run id'],
    ['no run id', body({ runId: undefined }), 'not a batch of targets: no run id'],
    ['a negative batch number', body({ batch: -1 }), 'not a batch of targets: no batch number'],
    ['a fractional batch number', body({ batch: 1.5 }), 'not a batch of targets: no batch number'],
    ['targets that are not strings', body({ targets: ['example.com', 443] }), 'not a batch of targets: no list of targets'],
    ['no targets', body({ targets: 'example.com' }), 'not a batch of targets: no list of targets'],
    ['no settings', body({ settings: null }), 'not a batch of targets: no settings'],
    ['a timeout that is not a count', body({ settings: { ...good.settings, timeoutMs: '10000' } }), 'not a batch of targets: no settings'],
    ['a negative concurrency', body({ settings: { ...good.settings, concurrency: -1 } }), 'not a batch of targets: no settings'],
    ['no thresholds', body({ settings: { ...good.settings, thresholds: undefined } }), 'not a batch of targets: no settings'],
  ])('is refused when it has %s', (_what, text, error) => {
    expect(() => parseBatchMessage(text)).toThrow(error);
  });
});
