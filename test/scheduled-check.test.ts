/** The scheduled function on the sample event: reports to a folder or to S3, targets from S3. */
import type { RunSummary } from '../lib/store/store';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler } from '../handlers/scheduled-check';
import type { Report } from '../lib/report';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { s3Bucket as bucket, s3Client as client, s3Endpoint as endpoint, s3Keys } from './fixtures/test-bucket';
import { closedPort } from './fixtures/tls-server';
import { pageRowKeys } from './fixtures/fleet';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const event = sampleEvent<ScheduledEvent>('scheduled.json');
let restoreEnv: () => void = () => undefined;

afterEach(() => restoreEnv());

describe('scheduledCheck', () => {
  it('writes latest/127.0.0.1_1.json under REPORTS_DIR for TARGETS=127.0.0.1:1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-scheduled-'));
    restoreEnv = withEnv({ TARGETS: '127.0.0.1:1', REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_TIMEOUT_MS: '2000' });

    const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;

    expect(summary).toMatchObject({ targets: 1, reports: 1, byStatus: { unknown: 1 }, storeFailures: [] });
    expect(summary.reportDurationMs.max).toBeGreaterThanOrEqual(summary.reportDurationMs.median);
    const report = JSON.parse(await readFile(join(dir, 'latest', '127.0.0.1_1.json'), 'utf8')) as Report;
    expect(report.findings.map((f) => f.code)).toEqual(['CONNECTION_FAILED']);
    expect(await readdir(join(dir, 'runs'))).toEqual([`${summary.startedAt}.json`]);
  });

  it('stores every report and the run summary in S3, with targets read from an S3 object', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'scheduled/targets.txt', Body: `# the fleet\n127.0.0.1:${a}\n127.0.0.1:${b}\n` }));
    restoreEnv = withEnv({
      TARGETS: undefined,
      TARGETS_FILE: `s3://${bucket}/scheduled/targets.txt`,
      S3_BUCKET: bucket,
      S3_PREFIX: 'scheduled/out',
      S3_ENDPOINT: endpoint,
      CHECK_TIMEOUT_MS: '2000',
      SCHEDULE: 'rate(12 hours)',
    });

    const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;

    expect(summary).toMatchObject({ targets: 2, reports: 2, storeFailures: [] });
    const keys = await s3Keys('scheduled/out/');
    expect(keys).toEqual(
      expect.arrayContaining([
        `scheduled/out/latest/127.0.0.1_${a}.json`,
        `scheduled/out/latest/127.0.0.1_${b}.json`,
        `scheduled/out/runs/${summary.startedAt}.json`,
        `scheduled/out/history/127.0.0.1_${a}.json`,
        `scheduled/out/history/127.0.0.1_${b}.json`,
        'scheduled/out/index.json',
        'scheduled/out/index.html',
      ]),
    );
    expect(keys.filter((k) => k.startsWith('scheduled/out/reports/'))).toHaveLength(2);
    // The status page, as a browser gets it from S3: HTML, both targets, the next run from SCHEDULE.
    const page = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'scheduled/out/index.html' }));
    expect(page.ContentType).toMatch(/^text\/html/);
    const html = await page.Body!.transformToString();
    expect(pageRowKeys(html).sort()).toEqual([`127.0.0.1_${a}`, `127.0.0.1_${b}`].sort());
    expect(html).toContain(`data-at="${new Date(Date.parse(summary.startedAt) + 12 * 3_600_000).toISOString()}"`);
    const rollup = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: `scheduled/out/history/127.0.0.1_${a}.json` }))).Body!.transformToString()) as unknown;
    expect(rollup).toEqual({ schemaVersion: 1, key: `127.0.0.1_${a}`, days: [{ day: summary.startedAt.slice(0, 10), status: 'unknown', daysRemaining: null, fingerprint: null }] });
  });

  it('goes on through an S3 outage and records every failure in the summary', async () => {
    restoreEnv = withEnv({ TARGETS: '127.0.0.1:1,127.0.0.1:2', S3_BUCKET: bucket, S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, CHECK_TIMEOUT_MS: '2000' });

    const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;

    expect(summary.reports).toBe(2);
    expect(summary.storeFailures.map((f) => f.key).sort()).toEqual(['latest/127.0.0.1_1.json', 'latest/127.0.0.1_2.json']);
    expect(summary.storeFailures[0].error).toMatch(/cannot write s3:\/\//);
  });

  it('refuses a bad setting before checking anything', async () => {
    restoreEnv = withEnv({ TARGETS: '127.0.0.1:1', WARN_DAYS: 'soon', S3_BUCKET: undefined });

    await expect(handler(event, lambdaContext(900_000))).rejects.toThrow('WARN_DAYS must be a whole number from 0 to 3650, not "soon"');
  });

  it('runs on a list of bad lines only, and names them in the stored summary', async () => {
    restoreEnv = withEnv({ TARGETS: 'gopher://example.com', S3_BUCKET: bucket, S3_PREFIX: 'scheduled/bad', S3_ENDPOINT: endpoint });

    const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;

    expect(summary).toMatchObject({ targets: 0, reports: 0, skipped: [{ where: 'entry 1 of TARGETS', entry: 'gopher://example.com' }] });
    expect(await s3Keys('scheduled/bad/')).toEqual(['scheduled/bad/index.html', 'scheduled/bad/index.json', `scheduled/bad/runs/${summary.startedAt}.json`]);
  });

  it('emits the run metrics (EMF) once, when the run is finished', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-scheduled-metrics-'));
    const written: string[] = [];
    // Powertools Metrics writes EMF documents through its own Console on process.stdout.
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(chunk.toString());
      return true;
    });
    try {
      restoreEnv = withEnv({ TARGETS: '127.0.0.1:1,127.0.0.1:2', REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_TIMEOUT_MS: '2000', METRICS_PER_TARGET: undefined });
      await handler(event, lambdaContext(900_000));
    } finally {
      stdout.mockRestore();
    }
    const documents = written.join('').split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ service: 'certcheck', RunsFinished: 1, TargetsUnknown: 2, NotChecked: 0 });
  });
});
