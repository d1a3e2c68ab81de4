/**
 * Alerts in a scheduled run, end to end on 127.0.0.1: TLS servers with generated certificates,
 * real webhook receivers, the report store in a folder and on the S3-compatible server.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { ScheduledEvent } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { handler } from '../handlers/scheduled-check';
import { type DeliveryOptions, WebhookPoster } from '../lib/alerts/deliver';
import { parseWebhookList } from '../lib/alerts/webhooks';
import { readJobConfig } from '../lib/target-list-config';
import type { Report } from '../lib/report';
import { LOGGED_LIST_ITEMS } from '../lib/run-finish';
import { runScheduled, type RunDeps } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { S3ReportStore } from '../lib/store/s3';
import { type PageLink, type ReportStore, type RunSummary, StoreError } from '../lib/store/store';
import { TrustStore } from '../lib/x509/trust-store';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { startSsmEndpoint } from './fixtures/ssm-endpoint';
import { s3Bucket, s3Client, s3Endpoint, s3Keys } from './fixtures/test-bucket';
import { closedPort, type RunningServer, startTlsServer } from './fixtures/tls-server';
import { startWebhookReceiver, type WebhookReceiver } from './fixtures/webhook-receiver';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const FAST: DeliveryOptions = { timeoutMs: 500, attempts: 2, backoffMs: 20, maxWaitMs: 1_000 };
const SERVICES = ['slack', 'teams', 'discord', 'googlechat', 'webhook'] as const;

let pki: Hierarchy;
let receiver: WebhookReceiver;
let expiring: RunningServer;
let healthy: RunningServer;
let expiryDay: string;
const servers: RunningServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Alerts');
  receiver = await startWebhookReceiver();
  const notAfter = new Date(Date.now() + 6.5 * DAY);
  expiryDay = notAfter.toISOString().slice(0, 10);
  expiring = await startTlsServer({ chain: [await pki.leaf({ cn: 'soon', sans: ['127.0.0.1'], notAfter }), pki.intermediate] });
  healthy = await startTlsServer({ chain: [await pki.leaf({ cn: 'fine', sans: ['127.0.0.1'] }), pki.intermediate] });
  servers.push(expiring, healthy);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await receiver.close();
});

async function freshDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `certcheck-alerts-${name}-`));
}

/** A run's dependencies: the test roots, a quiet log, the given webhooks with quick retries. */
function runDeps(store: ReportStore, webhooks: string, lines: Record<string, unknown>[] = []): RunDeps {
  const { webhooks: list, errors } = parseWebhookList(webhooks);
  return {
    store,
    trustStore: new TrustStore([pki.root.cert], 'the test roots'),
    log: (line) => lines.push(line),
    alerting: { webhooks: list, errors, poster: new WebhookPoster(fetch, FAST) },
  };
}

async function config(targets: string, dir: string) {
  return readJobConfig({ TARGETS: targets, REPORTS_DIR: dir, CHECK_TIMEOUT_MS: '2000', ALL_ADDRESSES: 'false' });
}

async function storedLatest(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'latest'))).sort();
}

describe('alerts from the scheduled run', () => {
  it('posts an alert naming the target on the first run and nothing on an identical second run (npm start)', async () => {
    const dir = await freshDir('start');
    const env = { ...process.env, TARGETS: '127.0.0.1:1', REPORTS_DIR: dir, ALERT_WEBHOOKS: `webhook+${receiver.url('/start')}`, CHECK_TIMEOUT_MS: '2000' };
    const start = () => promisify(execFile)(process.execPath, [join(__dirname, '..', 'dist', 'handlers', 'local-run.js')], { env });

    await start();
    expect(receiver.postsTo('/start')).toHaveLength(1);
    const [post] = receiver.postsTo('/start');
    expect(post.body).toMatchObject({ kind: 'single', alerts: [{ target: '127.0.0.1:1', status: 'unknown', previousStatus: null, reasons: [{ kind: 'first-check', from: null }] }] });

    await start();
    expect(receiver.postsTo('/start')).toHaveLength(1);
    const runs = await readdir(join(dir, 'runs'));
    expect(runs).toHaveLength(2);
    const summaries = await Promise.all(runs.sort().map(async (r) => JSON.parse(await readFile(join(dir, 'runs', r), 'utf8'))));
    expect(summaries.map((s) => s.alerts.targets)).toEqual([1, 0]);
  });

  it.each(SERVICES)('sends %s its own format with the target, the expiry in words, the issuer and the stored report', async (service) => {
    const dir = await freshDir(service);
    const path = `/each/${service}`;

    const summary = await runScheduled(await config(`127.0.0.1:${expiring.port}`, dir), runDeps(new FsReportStore(dir), `${service}+${receiver.url(path)}`));

    expect(summary.alerts).toMatchObject({ targets: 1, deliveries: [{ ok: true, attempts: 1 }], errors: [] });
    const [post] = receiver.postsTo(path);
    const text = JSON.stringify(post.body);
    expect(text).toContain(`127.0.0.1:${expiring.port}`);
    expect(text).toContain(`expires in 6 days, on ${expiryDay}`);
    expect(text).toContain('CN=Alerts Intermediate CA');
    expect(text).toContain(`${dir}/reports/127.0.0.1_${expiring.port}/`);
    const shape = { slack: 'attachments', teams: 'attachments', discord: 'embeds', googlechat: 'cardsV2', webhook: 'alerts' }[service];
    expect(post.body).toHaveProperty(shape);
  });

  it('sends one digest per webhook when several targets alert', async () => {
    const dir = await freshDir('digest');
    const [down1, down2] = [await closedPort(), await closedPort()];

    const summary = await runScheduled(
      await config(`127.0.0.1:${expiring.port},127.0.0.1:${down1},127.0.0.1:${down2},127.0.0.1:${healthy.port}`, dir),
      runDeps(new FsReportStore(dir), `webhook+${receiver.url('/digest')},slack+${receiver.url('/digest-slack')}`),
    );

    expect(summary.alerts?.targets).toBe(3);
    expect(receiver.postsTo('/digest')).toHaveLength(1);
    expect(receiver.postsTo('/digest-slack')).toHaveLength(1);
    const body = receiver.postsTo('/digest')[0].body as { kind: string; summary: string; alerts: { status: string }[]; statusPage: PageLink };
    expect(body.kind).toBe('digest');
    expect(body.summary).toBe('1 critical, 2 unknown');
    expect(body.alerts.map((a) => a.status)).toEqual(['critical', 'unknown', 'unknown']);
    // A folder's page is a file there, as long as the folder is.
    expect(body.statusPage).toEqual({ url: pathToFileURL(join(dir, 'index.html')).href, expiresAt: null });
  });

  /** Where each service's payload links the status page. */
  const PAGE_URL_OF: Record<(typeof SERVICES)[number], (body: unknown) => string | undefined> = {
    slack: (body) => /<(http[^|>]+)\|Open the status page>/.exec(JSON.stringify(body))?.[1].replace(/&amp;/g, '&'),
    teams: (body) => (body as { attachments: { content: { actions?: { type: string; url: string }[] } }[] }).attachments[0].content.actions?.find((a) => a.type === 'Action.OpenUrl')?.url,
    discord: (body) => (body as { embeds: { url?: string }[] }).embeds[0].url,
    googlechat: (body) => /"openLink":\{"url":"([^"]+)"/.exec(JSON.stringify(body))?.[1],
    webhook: (body) => (body as { statusPage: PageLink | null }).statusPage?.url,
  };

  it.each(SERVICES)('links the status page in %s with a presigned link that opens it, and says until when it works', async (service) => {
    const prefix = `alerts-page/${service}`;
    const store = new S3ReportStore(s3Client, { bucket: s3Bucket, prefix });
    const path = `/page/${service}`;
    const before = Date.now();

    const summary = await runScheduled(await config(`127.0.0.1:${expiring.port},127.0.0.1:1`, await freshDir(`page-${service}`)), runDeps(store, `${service}+${receiver.url(path)}`));

    expect(summary.alerts?.deliveries.map((d) => d.ok)).toEqual([true]);
    expect(summary.errors).toBeUndefined();
    const [post] = receiver.postsTo(path);
    const url = PAGE_URL_OF[service](post.body) as string;
    expect(new URL(url).pathname).toBe(`/${s3Bucket}/${prefix}/index.html`);
    const page = await fetch(url);
    // The page this run wrote: the link opens it.
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, expect.stringMatching(/^text\/html/), expect.stringContaining('<title>certcheck: 1 critical, 1 unknown of 2 target(s)</title>')]);
    // Signed for 7 days, with credentials that do not expire.
    const until = new Date(before + 7 * DAY).toISOString().slice(0, 10);
    expect(JSON.stringify(post.body)).toMatch(service === 'webhook' ? new RegExp(`"expiresAt":"${until}T`) : new RegExp(`link valid until ${until} \\d\\d:\\d\\d UTC`));
  });

  /** Where each service's payload links the report. */
  const REPORT_URL_OF: Record<(typeof SERVICES)[number], (body: unknown) => string | undefined> = {
    slack: (body) => /<(http[^|>]+)\|Open the report>/.exec(JSON.stringify(body))?.[1].replace(/&amp;/g, '&'),
    teams: (body) => /\[Open the report\]\((http[^)]+)\)/.exec(JSON.stringify(body))?.[1],
    discord: (body) => /\[Open the report\]\((http[^)]+)\)/.exec(JSON.stringify(body))?.[1],
    googlechat: (body) => /href=\\"(http[^"\\]+)\\">Open the report/.exec(JSON.stringify(body))?.[1].replace(/&amp;/g, '&'),
    webhook: (body) => (body as { alerts: { reportLink: PageLink | null }[] }).alerts[0].reportLink?.url,
  };

  it.each(SERVICES)('links the report in %s with a presigned HTTPS link that opens it, not an s3:// URI', async (service) => {
    const prefix = `alerts-report-link/${service}`;
    const store = new S3ReportStore(s3Client, { bucket: s3Bucket, prefix });
    const path = `/report-link/${service}`;
    const before = Date.now();

    const summary = await runScheduled(await config(`127.0.0.1:${expiring.port}`, await freshDir(`report-link-${service}`)), runDeps(store, `${service}+${receiver.url(path)}`));

    expect(summary.alerts?.errors).toEqual([]);
    const [post] = receiver.postsTo(path);
    const url = REPORT_URL_OF[service](post.body) as string;
    expect(new URL(url).pathname).toMatch(new RegExp(`^/${s3Bucket}/${prefix}/reports/127\\.0\\.0\\.1_${expiring.port}/\\d{4}-\\d\\d-\\d\\d/[^/]+\\.json$`));
    const opened = await fetch(url);
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as Report).target.port).toBe(expiring.port);
    // Valid 7 days: the credentials here do not expire.
    const until = new Date(before + 7 * DAY).toISOString().slice(0, 10);
    if (service === 'webhook') {
      const [alert] = (post.body as { alerts: { reportKey: string; reportLink: PageLink; reportLocation: string }[] }).alerts;
      expect(alert.reportKey).toMatch(new RegExp(`^reports/127\\.0\\.0\\.1_${expiring.port}/`));
      expect(alert.reportLink.expiresAt?.slice(0, 10)).toBe(until);
      expect(alert.reportLocation).toBe(`s3://${s3Bucket}/${prefix}/${alert.reportKey}`);
    } else {
      expect(JSON.stringify(post.body)).toMatch(new RegExp(`Open the report[^"]*?link valid until ${until} \\d\\d:\\d\\d UTC`));
    }
  });

  it("bounds a report's link by the signing credentials (Lambda's role credentials last hours)", async () => {
    const expiration = new Date(Date.now() + 2 * 3_600_000);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3Endpoint,
      forcePathStyle: true,
      credentials: () => Promise.resolve({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'session', expiration }),
    });
    const store = new S3ReportStore(client, { bucket: s3Bucket, prefix: 'alerts-report-link/temporary' });

    const link = await store.reportLink('reports/example.test_443/2026-11-23/2026-11-23T05-00-00.000Z.json', 7 * 86_400);

    expect(link.expiresAt).toBe(expiration.toISOString());
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe(String(7 * 86_400));
  });

  it('sends the report as where it is stored, saying why in the summary, when its link cannot be made', async () => {
    class NoReportLinkStore extends S3ReportStore {
      override reportLink(): Promise<PageLink> {
        return Promise.reject(new StoreError('the credentials are gone'));
      }
    }
    const store = new NoReportLinkStore(s3Client, { bucket: s3Bucket, prefix: 'alerts-report-link/none' });

    const summary = await runScheduled(await config(`127.0.0.1:${expiring.port}`, await freshDir('no-report-link')), runDeps(store, `slack+${receiver.url('/no-report-link')}`));

    expect(summary.alerts?.deliveries.map((d) => d.ok)).toEqual([true]);
    expect(summary.alerts?.errors).toEqual(['no link to the reports in the alert: the credentials are gone']);
    const text = JSON.stringify(receiver.postsTo('/no-report-link')[0].body);
    expect(text).toContain(`Full report: s3://${s3Bucket}/alerts-report-link/none/reports/127.0.0.1_${expiring.port}/`);
    expect(text).not.toContain('Open the report');
  });

  it('sends the digest without the link, saying why in the summary, when the link cannot be made', async () => {
    class NoLinkStore extends FsReportStore {
      override pageLink(): Promise<PageLink> {
        return Promise.reject(new StoreError('the credentials are gone'));
      }
    }
    const dir = await freshDir('no-link');
    const run = async () =>
      runScheduled(await config(`127.0.0.1:${expiring.port},127.0.0.1:1`, dir), runDeps(new NoLinkStore(dir), `webhook+${receiver.url('/no-link')},slack+${receiver.url('/no-link-slack')}`));

    const summary = await run();
    const quiet = await run();

    expect(summary.alerts?.deliveries.map((d) => d.ok)).toEqual([true, true]);
    expect(summary.errors).toEqual(['no link to the status page in the alert: the credentials are gone']);
    const [post] = receiver.postsTo('/no-link');
    expect(post.body).toMatchObject({ kind: 'digest', statusPage: null });
    expect(JSON.stringify(receiver.postsTo('/no-link-slack')[0].body)).not.toMatch(/status page/i);
    // With nothing to tell, no link is asked for.
    expect([quiet.alerts?.targets, quiet.errors]).toEqual([0, undefined]);
  });

  it('stores every report and reaches the good webhook when others answer 500, hang or refuse', async () => {
    const dir = await freshDir('failing');
    receiver.always('/fail/500', { status: 500 });
    receiver.always('/fail/hang', 'hang');
    const refused = `http://127.0.0.1:${await closedPort()}/refused`;
    const down = await closedPort();
    const lines: Record<string, unknown>[] = [];
    const webhooks = `webhook+${receiver.url('/fail/500')},webhook+${receiver.url('/fail/hang')},webhook+${refused},webhook+${receiver.url('/fail/good')}`;

    const summary = await runScheduled(await config(`127.0.0.1:${expiring.port},127.0.0.1:${down}`, dir), runDeps(new FsReportStore(dir), webhooks, lines));

    expect(await storedLatest(dir)).toEqual([`127.0.0.1_${down}.json`, `127.0.0.1_${expiring.port}.json`].sort());
    expect(summary.storeFailures).toEqual([]);
    expect(await readdir(join(dir, 'runs'))).toEqual([`${summary.startedAt}.json`]);
    const deliveries = summary.alerts?.deliveries ?? [];
    expect(deliveries.map((d) => [d.ok, d.error?.replace(/:.*/, '')])).toEqual([
      [false, 'HTTP 500'],
      [false, 'no answer within 500 ms'],
      [false, expect.stringContaining('fetch failed')],
      [true, undefined],
    ]);
    expect(receiver.postsTo('/fail/500')).toHaveLength(2);
    expect(receiver.postsTo('/fail/good')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'alert not delivered')).toHaveLength(3);
    expect(JSON.stringify(lines)).not.toContain('/refused');
  });

  it('logs "run finished" in the shapes of the stored run summary, lists cut to 20 and counted', async () => {
    const dir = await freshDir('logged');
    const ports = await Promise.all(Array.from({ length: LOGGED_LIST_ITEMS + 3 }, () => closedPort()));
    const lines: Record<string, unknown>[] = [];

    const summary = await runScheduled(await config(ports.map((p) => `127.0.0.1:${p}`).join(','), dir), runDeps(new FsReportStore(dir), `webhook+${receiver.url('/logged')}`, lines));

    const stored = JSON.parse(await readFile(join(dir, 'runs', `${summary.startedAt}.json`), 'utf8')) as RunSummary;
    const [line] = lines.filter((l) => l.msg === 'run finished');
    expect(stored.notOk).toHaveLength(LOGGED_LIST_ITEMS + 3);
    expect(line).toEqual({
      level: 'info',
      msg: 'run finished',
      ...stored,
      notOk: stored.notOk.slice(0, LOGGED_LIST_ITEMS),
      truncated: { notOk: 3 },
      location: dir,
    });
    expect(line.storeFailures).toEqual([]);
    expect(line.alerts).toEqual({ targets: LOGGED_LIST_ITEMS + 3, deliveries: [expect.objectContaining({ ok: true, attempts: 1 })], errors: [] });
  });

  it('tells again at the next run what no webhook delivered', async () => {
    const dir = await freshDir('undelivered');
    receiver.answer('/retry-next-run', { status: 503 }, { status: 503 });
    const deps = () => runDeps(new FsReportStore(dir), `webhook+${receiver.url('/retry-next-run')}`);
    const cfg = await config('127.0.0.1:1', dir);

    const first = await runScheduled(cfg, deps());
    const second = await runScheduled(cfg, deps());
    const third = await runScheduled(cfg, deps());

    expect(first.alerts?.deliveries.map((d) => d.ok)).toEqual([false]);
    expect(second.alerts?.deliveries.map((d) => d.ok)).toEqual([true]);
    expect(third.alerts?.targets).toBe(0);
    const told = receiver.postsTo('/retry-next-run').map((p) => (p.body as { alerts: { reasons: { kind: string }[] }[] }).alerts[0].reasons[0].kind);
    // 2 failed attempts, then the next run's delivery says what is new to the history: the problem.
    expect(told).toEqual(['first-check', 'first-check', 'new-problem']);
  });

  it('adds CERT_CHANGED when the certificate is replaced, and tells the recovery once', async () => {
    const dir = await freshDir('renewed');
    const before = await startTlsServer({ chain: [await pki.leaf({ cn: 'old', sans: ['127.0.0.1'], notAfter: new Date(Date.now() + 2.5 * DAY) }), pki.intermediate] });
    const port = before.port;
    const cfg = await config(`127.0.0.1:${port}`, dir);
    const deps = () => runDeps(new FsReportStore(dir), `webhook+${receiver.url('/renewed')}`);
    await runScheduled(cfg, deps());
    await before.close();
    const after = await startTlsServer({ port, chain: [await pki.leaf({ cn: 'new', sans: ['127.0.0.1'] }), pki.intermediate] });
    servers.push(after);

    await runScheduled(cfg, deps());
    await runScheduled(cfg, deps());

    const latest = JSON.parse(await readFile(join(dir, 'latest', `127.0.0.1_${port}.json`), 'utf8')) as Report;
    expect(latest.findings.map((f) => f.code)).toEqual([]); // the third report: same certificate as the second
    const bodies = receiver.postsTo('/renewed').map((p) => p.body as { alerts: { status: string; problems: string[]; facts: string[]; report: Report }[] });
    expect(bodies.map((b) => b.alerts[0].status)).toEqual(['critical', 'recovered']);
    expect(bodies[1].alerts[0].report.findings.map((f) => f.code)).toEqual(['CERT_CHANGED']);
    expect(bodies[1].alerts[0].problems).toEqual([]);
    expect(bodies[1].alerts[0].facts).toEqual([expect.stringMatching(/^certificate changed since/)]);
  });

  it('keeps the alert memory in S3 beside the reports, one object per target', async () => {
    const store = new S3ReportStore(s3Client, { bucket: s3Bucket, prefix: 'alerts-run' });
    const cfg = await config('127.0.0.1:1', await freshDir('s3'));

    const first = await runScheduled(cfg, runDeps(store, `webhook+${receiver.url('/s3')}`));
    const second = await runScheduled(cfg, runDeps(store, `webhook+${receiver.url('/s3')}`));

    expect([first.alerts?.targets, second.alerts?.targets]).toEqual([1, 0]);
    expect(await s3Keys('alerts-run/alerts/')).toEqual(['alerts-run/alerts/targets/127.0.0.1_1.json']);
    expect(receiver.postsTo('/s3')).toHaveLength(1);
  });

  it("starts afresh from a target's unreadable alert memory, saying so, and tells what it finds", async () => {
    const dir = await freshDir('bad-history');
    const memory = join(dir, 'alerts', 'targets', '127.0.0.1_1.json');
    await mkdir(join(dir, 'alerts', 'targets'), { recursive: true });
    await writeFile(memory, '{"schemaVersion": 2}');

    const summary = await runScheduled(await config('127.0.0.1:1', dir), runDeps(new FsReportStore(dir), `webhook+${receiver.url('/bad-history')}`));

    expect(summary.errors).toEqual([`alert memory not read, starting afresh: ${memory} is unreadable: not an alert memory`]);
    expect(receiver.postsTo('/bad-history')).toHaveLength(1);
    expect(JSON.parse(await readFile(memory, 'utf8'))).toMatchObject({ lastAlertAt: expect.any(String), told: [expect.stringContaining('CONNECTION_FAILED')] });
  });

  it('says an error that repeats for every target once, with how many more there were', async () => {
    const dir = await freshDir('bad-histories');
    const ports = [1, 2, 3];
    await mkdir(join(dir, 'alerts', 'targets'), { recursive: true });
    for (const port of ports) await writeFile(join(dir, 'alerts', 'targets', `127.0.0.1_${port}.json`), '{"schemaVersion": 2}');

    const targets = ports.map((port) => `127.0.0.1:${port}`).join(',');
    const summary = await runScheduled(await config(targets, dir), runDeps(new FsReportStore(dir), `webhook+${receiver.url('/bad-histories')}`));

    expect(summary.errors).toEqual([
      expect.stringMatching(/^alert memory not read, starting afresh: .*127\.0\.0\.1_[123]\.json is unreadable: not an alert memory \(and 2 more like it\)$/),
    ]);
    // Each target is still told of and remembered.
    expect((receiver.postsTo('/bad-histories')[0].body as { alerts: unknown[] }).alerts).toHaveLength(3);
  });

  it("says once, with a count, that a store refused every target's alert memory", async () => {
    class NoMemoryStore extends FsReportStore {
      override putAlertMemory(key: string): Promise<void> {
        return Promise.reject(new Error(`the disk is full (${key})`));
      }
    }
    const dir = await freshDir('no-memory');
    const targets = [1, 2, 3].map((port) => `127.0.0.1:${port}`).join(',');

    const summary = await runScheduled(await config(targets, dir), runDeps(new NoMemoryStore(dir), `webhook+${receiver.url('/no-memory')}`));

    expect(summary.alerts?.errors).toEqual([expect.stringMatching(/^alert memory not stored: the disk is full \(127\.0\.0\.1_[123]\) \(and 2 more like it\)$/)]);
    expect(receiver.postsTo('/no-memory')).toHaveLength(1);
  });

  it("says once, with a count, that no target's history could be rolled up", async () => {
    const dir = await freshDir('no-history');
    await writeFile(join(dir, 'history'), 'a file where the history/ folder should be');
    const targets = [1, 2, 3].map((port) => `127.0.0.1:${port}`).join(',');

    const summary = await runScheduled(await config(targets, dir), runDeps(new FsReportStore(dir), `webhook+${receiver.url('/no-history')}`));

    expect(summary.errors).toEqual([expect.stringMatching(/^history rollup not kept: .* \(and 2 more like it\)$/)]);
    expect(await storedLatest(dir)).toHaveLength(3);
  });

  it('records unusable webhook entries in the summary and still checks and alerts', async () => {
    const dir = await freshDir('unusable');

    const summary = await runScheduled(await config('127.0.0.1:1', dir), runDeps(new FsReportStore(dir), `https://unknown.example.test/token123,webhook+${receiver.url('/usable')}`));

    expect(summary.reports).toBe(1);
    expect(summary.alerts?.errors).toEqual([expect.stringMatching(/^cannot tell which chat service alert webhook 1 of 2 \(https:\/\/unknown\.example\.test\/…\) is/)]);
    expect(receiver.postsTo('/usable')).toHaveLength(1);
  });
});

describe('the webhook list in SSM Parameter Store', () => {
  const event = sampleEvent<ScheduledEvent>('scheduled.json');

  /** The scheduled function's environment for one loopback target, with SSM at `ssmUrl` and dummy credentials. */
  function ssmRunEnv(dir: string, ssmUrl: string, alerts: Record<string, string | undefined>): Record<string, string | undefined> {
    return {
      TARGETS: '127.0.0.1:1',
      REPORTS_DIR: dir,
      S3_BUCKET: undefined,
      CHECK_TIMEOUT_MS: '2000',
      AWS_ENDPOINT_URL_SSM: ssmUrl,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ...alerts,
    };
  }

  it('is read once per cold start and used with ALERT_WEBHOOKS', async () => {
    const ssm = await startSsmEndpoint({ '/certcheck/webhooks': `webhook+${receiver.url('/from-ssm')}` });
    const dir = await freshDir('ssm');
    const restore = withEnv(ssmRunEnv(dir, ssm.url, { ALERT_WEBHOOKS: `webhook+${receiver.url('/from-env')}`, ALERT_WEBHOOKS_PARAMETER: '/certcheck/webhooks' }));
    try {
      const first = (await handler(event, lambdaContext(900_000))) as RunSummary;
      await handler(event, lambdaContext(900_000));

      expect(first.alerts?.deliveries.map((d) => [d.sink, d.ok])).toEqual([
        [`webhook ${receiver.url('/')}…`, true],
        [`webhook ${receiver.url('/')}…`, true],
      ]);
      expect(receiver.postsTo('/from-ssm')).toHaveLength(1);
      expect(receiver.postsTo('/from-env')).toHaveLength(1);
      expect(ssm.reads.get('/certcheck/webhooks')).toBe(1);
    } finally {
      restore();
      await ssm.close();
    }
  });

  it('says in the summary when the parameter cannot be read, and still stores the reports', async () => {
    const ssm = await startSsmEndpoint({});
    const dir = await freshDir('ssm-missing');
    const restore = withEnv(ssmRunEnv(dir, ssm.url, { ALERT_WEBHOOKS: undefined, ALERT_WEBHOOKS_PARAMETER: '/certcheck/missing' }));
    try {
      const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;

      expect(summary.alerts?.errors).toEqual([expect.stringMatching(/^cannot read SSM parameter \/certcheck\/missing: ParameterNotFound/)]);
      expect(await storedLatest(dir)).toEqual(['127.0.0.1_1.json']);
    } finally {
      restore();
      await ssm.close();
    }
  });
});
