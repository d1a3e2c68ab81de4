/**
 * The fan-out part of `npm run bench`: a run of N targets (distinct loopback addresses on one
 * closed port: every check is quick, every target is first seen and alerts, the worst case for
 * the finish) planned by the scheduled door, sent to a local SQS-compatible server (fauxqs), and
 * checked by worker processes that each play one warm Lambda instance (the worker door, one
 * message at a time), storing in fauxqs's in-memory S3 (s3rver, which the tests use for its
 * conditional writes, stores about 160 objects a second: it would measure itself); the webhook
 * is a local receiver.
 * Measured: each worker's peak RSS, targets per second from plan to finish, the finish step.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { handler as checkBatchDoor } from '../handlers/check-batch';
import { handler as scheduledDoor } from '../handlers/scheduled-check';
import { recordOf } from './fixtures/event-source';
import { lambdaContext } from './fixtures/lambda';
import { makeS3Client } from '../lib/store/s3';
import { createQueues, startSqsServer } from './fixtures/sqs-server';
import { closedPort } from './fixtures/tls-server';
import { startWebhookReceiver } from './fixtures/webhook-receiver';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const WORKER_HEAP = '--max-old-space-size=128';
/** Dummy credentials: the local servers take any, the SDK insists on some. */
const BENCH_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' };
/** What EventBridge sends (the scheduled door reads nothing of it). */
const SCHEDULED_EVENT = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;

export interface FanOutResult {
  targets: number;
  workerPeakRssMb: number;
  /** The finishing worker's peak and the highest of the others': the finish's own cost shows apart. */
  finisherPeakRssMb: number;
  othersPeakRssMb: number;
  targetsPerSecond: number;
  planMs: number;
  finishMs: number;
  batches: number;
}

/** One worker process: takes messages until told to stop, then reports its peak RSS. */
async function work(): Promise<void> {
  const url = process.env.CHECK_QUEUE_URL as string;
  const client = new SQSClient({ endpoint: process.env.SQS_ENDPOINT, region: 'us-east-1' });
  let stop = false;
  process.on('message', () => (stop = true));
  while (!stop) {
    const answer = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, AttributeNames: ['All'] }));
    const message = answer.Messages?.[0];
    if (!message) continue;
    const response = await checkBatchDoor({ Records: [recordOf(message, url)] }, lambdaContext(300_000));
    if (response.batchItemFailures.length === 0) await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  }
  process.send?.({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
  process.disconnect?.();
}

/** Runs one fanned-out run of `count` targets from plan to finish. */
export async function fanOutBench(count: number): Promise<FanOutResult> {
  const [sqs, receiver, port] = await Promise.all([startSqsServer(), startWebhookReceiver(), closedPort()]);
  const queues = await createQueues(sqs, `bench-${count}`, 600);
  Object.assign(process.env, BENCH_CREDENTIALS);
  const bucket = `certcheck-bench-${count}`;
  const folder = await mkdtemp(join(tmpdir(), 'certcheck-bench-fan-out-'));
  const list = join(folder, 'targets.txt');
  await writeFile(list, Array.from({ length: count }, (_, i) => `127.${1 + Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}:${port}\n`).join(''));
  await makeS3Client({ endpoint: sqs.endpoint }).send(new CreateBucketCommand({ Bucket: bucket }));
  const env = {
    ...process.env,
    ...BENCH_CREDENTIALS,
    TARGETS: '',
    // A fleet this size lives in a file (and would not fit in a child's environment).
    TARGETS_FILE: list,
    S3_BUCKET: bucket,
    S3_PREFIX: `fan-out-${count}`,
    S3_ENDPOINT: sqs.endpoint,
    CHECK_QUEUE_URL: queues.url,
    SQS_ENDPOINT: sqs.endpoint,
    ALERT_WEBHOOKS: `webhook+${receiver.url('/bench')}`,
    ALERT_WEBHOOKS_PARAMETER: undefined,
    CHECK_TIMEOUT_MS: '2000',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  delete process.env.ALERT_WEBHOOKS_PARAMETER;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  try {
    const started = performance.now();
    const planned = (await scheduledDoor(SCHEDULED_EVENT, lambdaContext(900_000))) as { batches: number };
    const planMs = Math.round(performance.now() - started);
    let finishMs = -1;
    let finisher: ChildProcess | undefined;
    let finishedAt = 0;
    const peaks: { child: ChildProcess; mb: number }[] = [];
    const finished = new Promise<void>((resolve) => {
      const workers = Array.from({ length: WORKERS }, () => {
        // The heap cap serverless.yml gives the worker (NODE_OPTIONS), so that the measure is of the worker as deployed.
        const child = fork(__filename, ['--worker'], { env: { ...env, ALERT_WEBHOOKS_PARAMETER: '' }, execArgv: [WORKER_HEAP], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
        // The worker door logs one JSON line per batch; the one that finished the run says how long the finish took.
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          // The first finish counts: fauxqs's S3 ignores conditional writes, so a second worker may finish too.
          if (finisher || !line.includes('"batch done"') || !line.includes('"finishedRun":true')) return;
          finishMs = (JSON.parse(line) as { finishMs: number }).finishMs;
          finisher = child;
          finishedAt = performance.now();
          for (const w of workers) if (w.connected) w.send('stop');
        });
        child.on('message', (m) => peaks.push({ child, mb: (m as { maxRssMb: number }).maxRssMb }));
        child.on('exit', () => peaks.length === WORKERS && resolve());
        return child;
      });
    });
    await finished;
    return {
      targets: count,
      workerPeakRssMb: Math.max(...peaks.map((p) => p.mb)),
      finisherPeakRssMb: peaks.find((p) => p.child === finisher)?.mb ?? -1,
      othersPeakRssMb: Math.max(...peaks.filter((p) => p.child !== finisher).map((p) => p.mb)),
      targetsPerSecond: Math.round((count * 1000) / (finishedAt - started)),
      planMs,
      finishMs,
      batches: planned.batches,
    };
  } finally {
    process.env = saved;
    await Promise.all([receiver.close(), sqs.close(), rm(folder, { recursive: true, force: true })]);
  }
}

if (process.argv.includes('--worker')) {
  work().catch((err: unknown) => {
    process.stderr.write(`bench worker failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
