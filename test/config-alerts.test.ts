/**
 * Configuration alerts (CONFIG_INVALID): the decision (pure), and the scheduled run end to end on
 * 127.0.0.1 — a bad line is skipped, the good targets are checked, the line is told once; a
 * target list that cannot be read is told, and again only a day later.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handler } from '../handlers/scheduled-check';
import { type ConfigProblem, decideConfigAlerts } from '../lib/alerts/config-alert';
import { REPEAT_AFTER_MS } from '../lib/alerts/decide';
import { WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhookList } from '../lib/alerts/webhooks';
import { readJobConfig } from '../lib/target-list-config';
import { runScheduled } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import type { RunSummary } from '../lib/store/store';
import { TrustStore } from '../lib/x509/trust-store';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { closedPort } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const NOW = new Date('2026-11-27T05:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const line = (n: number, entry: string): ConfigProblem => ({ kind: 'skipped-line', where: `line ${n} of targets.txt`, entry, reason: `invalid target "${entry}": contains spaces` });
const unreadable: ConfigProblem = { kind: 'unreadable-list', where: 'TARGETS_FILE s3://fleet/targets.txt', entry: null, reason: 'cannot read TARGETS_FILE s3://fleet/targets.txt: AccessDenied' };

describe('deciding configuration alerts', () => {
  it('tells a bad line once, even when lines above it move it; forgets it once fixed and tells it again if it comes back', () => {
    const first = decideConfigAlerts([line(12, 'exa mple.com')], null, NOW);
    expect(first.tell).toEqual([line(12, 'exa mple.com')]);
    const moved = decideConfigAlerts([line(14, 'exa mple.com')], first.memoryIfTold, later(REPEAT_AFTER_MS * 3));
    expect(moved.tell).toEqual([]);
    expect(moved.memoryIfTold).toEqual(first.memoryIfTold);
    const fixed = decideConfigAlerts([], moved.memoryIfTold, later(1));
    expect(fixed.memoryIfTold.told).toEqual({});
    expect(decideConfigAlerts([line(3, 'exa mple.com')], fixed.memoryIfTold, later(2)).tell).toHaveLength(1);
  });

  it('tells a new bad line beside an old one, and two identical lines once', () => {
    const { memoryIfTold } = decideConfigAlerts([line(1, 'a b')], null, NOW);
    expect(decideConfigAlerts([line(1, 'a b'), line(2, 'c d'), line(3, 'c d')], memoryIfTold, later(1)).tell).toEqual([line(2, 'c d')]);
  });

  it('tells an unreadable list at once, then again only after a day (less the schedule drift margin)', () => {
    const first = decideConfigAlerts([unreadable], null, NOW);
    expect(first.tell).toHaveLength(1);
    expect(decideConfigAlerts([unreadable], first.memoryIfTold, later(REPEAT_AFTER_MS - 1)).tell).toEqual([]);
    expect(decideConfigAlerts([unreadable], first.memoryIfTold, later(REPEAT_AFTER_MS)).tell).toHaveLength(1);
  });

  it('remembers nothing new when no webhook took the message, so the next run tells it again', () => {
    const told = decideConfigAlerts([line(1, 'a b')], null, NOW).memoryIfTold;
    const next = decideConfigAlerts([line(1, 'a b'), line(2, 'c d')], told, later(1));
    expect(next.memoryIfNotTold).toEqual(told);
    expect(decideConfigAlerts([line(1, 'a b'), line(2, 'c d')], next.memoryIfNotTold, later(2)).tell).toEqual([line(2, 'c d')]);
  });
});

describe('configuration alerts from the scheduled run', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it('npm start with bad lines: checks the good target, tells each bad line once with where it stands; the same run again tells nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-alerts-'));
    const port = await closedPort();
    const env = { ...process.env, TARGETS: `127.0.0.1:${port},exa mple.com,gopher://x`, REPORTS_DIR: dir, ALERT_WEBHOOKS: `webhook+${receiver.url('/lines')}`, CHECK_TIMEOUT_MS: '2000' };
    const start = () => promisify(execFile)(process.execPath, [join(__dirname, '..', 'dist', 'handlers', 'local-run.js')], { env });

    await start();

    const [post] = receiver.postsTo('/lines');
    const body = post.body as { total: number; alerts: { target: string; status: string; code?: string; problems: string[] }[] };
    expect(body.total).toBe(3);
    expect(body.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: `127.0.0.1:${port}`, status: 'unknown' }),
        expect.objectContaining({ target: 'entry 2 of TARGETS', status: 'warning', code: 'CONFIG_INVALID', problems: ['entry 2 of TARGETS: invalid target "exa mple.com": contains spaces'] }),
        expect.objectContaining({ target: 'entry 3 of TARGETS', status: 'warning', code: 'CONFIG_INVALID', problems: [expect.stringContaining('scheme "gopher" is not supported')] }),
      ]),
    );
    expect(JSON.parse(await readFile(join(dir, 'alerts', 'config.json'), 'utf8'))).toMatchObject({ schemaVersion: 1, told: expect.any(Object) });

    await start();
    expect(receiver.postsTo('/lines')).toHaveLength(1);
  });

  it('tells that the target list cannot be read (and fails the function); a second run the same day does not tell it again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-unreadable-'));
    const missing = join(dir, 'no-such-targets.txt');
    const restore = withEnv({ TARGETS: undefined, TARGETS_FILE: missing, REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_QUEUE_URL: undefined, ALERT_WEBHOOKS: `webhook+${receiver.url('/unreadable')}`, ALERT_WEBHOOKS_PARAMETER: undefined });
    const event = sampleEvent<ScheduledEvent>('scheduled.json');
    try {
      await expect(handler(event, lambdaContext(900_000))).rejects.toThrow(`cannot read TARGETS_FILE ${missing}`);
      await expect(handler(event, lambdaContext(900_000))).rejects.toThrow(`cannot read TARGETS_FILE ${missing}`);
    } finally {
      restore();
    }
    const posts = receiver.postsTo('/unreadable');
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toMatchObject({ kind: 'single', status: 'critical', alerts: [{ target: `TARGETS_FILE ${missing}`, why: 'the target list cannot be read: nothing is checked', problems: [expect.stringContaining('ENOENT')] }] });
  });

  it('checks and stores when nothing is wrong with the list, and writes no configuration memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-clean-'));
    const restore = withEnv({ TARGETS: `127.0.0.1:${await closedPort()}`, REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_QUEUE_URL: undefined, ALERT_WEBHOOKS: `webhook+${receiver.url('/clean')}`, ALERT_WEBHOOKS_PARAMETER: undefined });
    try {
      const summary = (await handler(sampleEvent<ScheduledEvent>('scheduled.json'), lambdaContext(900_000))) as RunSummary;
      expect(summary.skipped).toEqual([]);
    } finally {
      restore();
    }
    await expect(readFile(join(dir, 'alerts', 'config.json'), 'utf8')).rejects.toThrow('ENOENT');
  });

  /** One scheduled run in this process on a folder store, its alerts to `path` with a single quick attempt. */
  async function runOnce(dir: string, targets: string, path: string): Promise<RunSummary> {
    const { webhooks, errors } = parseWebhookList(`webhook+${receiver.url(path)}`);
    return runScheduled(await readJobConfig({ TARGETS: targets, REPORTS_DIR: dir, CHECK_TIMEOUT_MS: '2000' }), {
      store: new FsReportStore(dir),
      trustStore: new TrustStore([], 'no roots'),
      log: () => undefined,
      alerting: { webhooks, errors, poster: new WebhookPoster(fetch, { timeoutMs: 1_000, attempts: 1, backoffMs: 10, maxWaitMs: 100 }) },
    });
  }
  const configCodes = (path: string) => receiver.postsTo(path).map((p) => (p.body as { alerts: { target: string; code?: string }[] }).alerts.filter((a) => a.code === 'CONFIG_INVALID').map((a) => a.target));

  it('tells a bad line again at the next run when no webhook took the message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-undelivered-'));
    const targets = `127.0.0.1:${await closedPort()},exa mple.com`;
    receiver.answer('/undelivered', { status: 503 });

    const first = await runOnce(dir, targets, '/undelivered');
    await runOnce(dir, targets, '/undelivered');
    await runOnce(dir, targets, '/undelivered');

    expect(first.alerts?.deliveries.map((d) => d.ok)).toEqual([false]);
    // The second run's message went out; the third has nothing new to tell.
    expect(configCodes('/undelivered')).toEqual([['entry 2 of TARGETS'], ['entry 2 of TARGETS']]);
  });

  it('forgets a bad line once it is fixed, and tells it again when it comes back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-fixed-'));
    const good = `127.0.0.1:${await closedPort()}`;

    await runOnce(dir, `${good},exa mple.com`, '/fixed');
    await runOnce(dir, good, '/fixed');
    expect(JSON.parse(await readFile(join(dir, 'alerts', 'config.json'), 'utf8'))).toEqual({ schemaVersion: 1, told: {} });
    await runOnce(dir, `${good},exa mple.com`, '/fixed');

    expect(configCodes('/fixed')).toEqual([['entry 2 of TARGETS'], ['entry 2 of TARGETS']]);
  });

  it('keeps what it told of bad lines while the list cannot be read: they are not told again once it can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-config-comes-back-'));
    const file = join(dir, 'targets.txt');
    const text = `127.0.0.1:${await closedPort()}\nexa mple.com\n`;
    const restore = withEnv({ TARGETS: undefined, TARGETS_FILE: file, REPORTS_DIR: dir, S3_BUCKET: undefined, CHECK_QUEUE_URL: undefined, CHECK_TIMEOUT_MS: '2000', ALERT_WEBHOOKS: `webhook+${receiver.url('/comes-back')}`, ALERT_WEBHOOKS_PARAMETER: undefined });
    const event = sampleEvent<ScheduledEvent>('scheduled.json');
    try {
      await writeFile(file, text);
      await handler(event, lambdaContext(900_000));
      await rm(file);
      await expect(handler(event, lambdaContext(900_000))).rejects.toThrow(`cannot read TARGETS_FILE ${file}`);
      await writeFile(file, text);
      await handler(event, lambdaContext(900_000));
    } finally {
      restore();
    }

    const told = receiver.postsTo('/comes-back').map((p) => (p.body as { alerts: { target: string }[] }).alerts.map((a) => a.target));
    expect(told).toEqual([expect.arrayContaining([`line 2 of ${file}`]), [`TARGETS_FILE ${file}`]]);
  });
});
