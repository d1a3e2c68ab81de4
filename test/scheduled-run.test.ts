/** The scheduled job run locally: targets from the environment, reports and a run summary in a folder. */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunConfig } from '../lib/config';
import { readJobConfig, readTargetList } from '../lib/target-list-config';
import { runScheduled, startRun } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import type { RunSummary } from '../lib/store/store';
import { TrustStore } from '../lib/x509/trust-store';
import { hierarchy, type Hierarchy } from './fixtures/pki';
import { closedPort, startTlsServer, type RunningServer } from './fixtures/tls-server';

let pki: Hierarchy;
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  pki = await hierarchy('Job');
  server = await startTlsServer({ chain: [await pki.leaf({ cn: 'ip', sans: ['127.0.0.1'] }), pki.intermediate] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-job-'));
});

afterAll(() => server.close());

function deps(root: string) {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    deps: { store: new FsReportStore(root), trustStore: new TrustStore([pki.root.cert], 'the test roots'), log: (l: Record<string, unknown>) => lines.push(l) },
  };
}

describe('the scheduled run', () => {
  it('checks TARGETS, stores every report and the run summary', async () => {
    const down = await closedPort();
    const reportsDir = join(dir, 'ok');
    const config = await readJobConfig({ TARGETS: `127.0.0.1:${server.port}, 127.0.0.1:${down}`, REPORTS_DIR: reportsDir, CHECK_TIMEOUT_MS: '2000' });
    const { deps: d, lines } = deps(reportsDir);

    const summary = await runScheduled(config, d);

    expect(summary).toMatchObject({ targets: 2, reports: 2, byStatus: { ok: 1, unknown: 1, warning: 0, critical: 0 }, storeFailures: [] });
    // The summary names what is not ok (the digest's "see the run summary" points here).
    expect(summary.notOk).toEqual([{ key: `127.0.0.1_${down}`, status: 'unknown', codes: ['CONNECTION_FAILED'], daysRemaining: null }]);
    expect(summary.lowestDaysRemaining).toBeCloseTo(90, 0);
    expect((await readdir(join(reportsDir, 'latest'))).sort()).toEqual([`127.0.0.1_${down}.json`, `127.0.0.1_${server.port}.json`].sort());
    const stored = JSON.parse(await readFile(join(reportsDir, 'runs', `${summary.startedAt}.json`), 'utf8')) as RunSummary;
    expect(stored.byStatus).toEqual(summary.byStatus);
    expect(lines.filter((l) => l.msg === 'checked')).toHaveLength(2);
  });

  it('goes on and records the failure when reports cannot be stored', async () => {
    const notADir = join(dir, 'a-file');
    await writeFile(notADir, 'in the way');
    const config = await readJobConfig({ TARGETS: `127.0.0.1:${server.port}`, REPORTS_DIR: notADir });
    const { deps: d, lines } = deps(notADir);

    const summary = await runScheduled(config, d);

    expect(summary.reports).toBe(1);
    expect(summary.storeFailures).toEqual([{ key: `latest/127.0.0.1_${server.port}.json`, error: expect.stringContaining('cannot write') }]);
    expect(lines.some((l) => l.level === 'error' && l.msg === 'checked')).toBe(true);
  });

  it('reads targets from TARGETS_FILE, and skips a bad line naming it by its line number', async () => {
    const file = join(dir, 'targets.txt');
    await writeFile(file, '# comment\nexample.com\ngopher://bad.example\n');
    const withBad = await readJobConfig({ TARGETS_FILE: file });
    expect(withBad.targets.map((t) => `${t.host}:${t.port}`)).toEqual(['example.com:443']);
    expect(withBad.skipped).toEqual([{ where: `line 3 of ${file}`, entry: 'gopher://bad.example', reason: expect.stringMatching(/scheme "gopher" is not supported/) }]);
    await writeFile(file, '# comment\nexample.com\n\nexample.org:8443 # second\n');
    const clean = await readJobConfig({ TARGETS_FILE: file });
    expect(clean.targets.map((t) => `${t.host}:${t.port}`)).toEqual(['example.com:443', 'example.org:8443']);
    expect(clean.skipped).toEqual([]);
  });

  it('checks a target listed twice once, and names the repeat among the skipped lines (told once like them)', async () => {
    const file = join(dir, 'twice.txt');
    await writeFile(file, 'example.com\nexample.org:8443\nhttps://EXAMPLE.com/x\n');
    const config = await readJobConfig({ TARGETS_FILE: file });
    expect(config.targets.map((t) => `${t.host}:${t.port}`)).toEqual(['example.com:443', 'example.org:8443']);
    expect(config.skipped).toEqual([{ where: `line 3 of ${file}`, entry: 'https://EXAMPLE.com/x', reason: `the same target as line 1 of ${file}: checked once` }]);
    expect((await readJobConfig({ TARGETS: 'a.example,b.example:443,a.example:443' })).skipped).toEqual([
      { where: 'entry 3 of TARGETS', entry: 'a.example:443', reason: 'the same target as entry 1 of TARGETS: checked once' },
    ]);
  });

  it('checks the good targets when some lines are bad, and lists the bad ones in the summary and the log', async () => {
    const reportsDir = join(dir, 'bad-lines');
    const config = await readJobConfig({ TARGETS: `127.0.0.1:${server.port},exa mple.com,gopher://x`, REPORTS_DIR: reportsDir, CHECK_TIMEOUT_MS: '2000' });
    const { deps: d, lines } = deps(reportsDir);

    const summary = await runScheduled(config, d);

    expect(summary).toMatchObject({ targets: 1, reports: 1, byStatus: { ok: 1 } });
    expect(summary.skipped).toEqual([
      { where: 'entry 2 of TARGETS', entry: 'exa mple.com', reason: expect.stringContaining('contains spaces') },
      { where: 'entry 3 of TARGETS', entry: 'gopher://x', reason: expect.stringContaining('"gopher"') },
    ]);
    const stored = JSON.parse(await readFile(join(reportsDir, 'runs', `${summary.startedAt}.json`), 'utf8')) as RunSummary;
    expect(stored.skipped).toEqual(summary.skipped);
    expect(lines.filter((l) => l.msg === 'target skipped').map((l) => [l.level, l.where])).toEqual([
      ['error', 'entry 2 of TARGETS'],
      ['error', 'entry 3 of TARGETS'],
    ]);
  });

  it('forgets the alert memory of targets no longer in the list, and keeps the listed ones (per address too)', async () => {
    const reportsDir = join(dir, 'forget');
    const memories = join(reportsDir, 'alerts', 'targets');
    await mkdir(memories, { recursive: true });
    const memory = JSON.stringify({ lastAlertAt: '2026-11-20T05:00:00.000Z', told: ['x'] });
    for (const key of ['gone.example_443', `127.0.0.1_${server.port}`, 'kept.example_8443_192.0.2.1', 'kept.example_443_192.0.2.1']) await writeFile(join(memories, `${key}.json`), memory);
    const config = await readJobConfig({ TARGETS: `127.0.0.1:${server.port},kept.example:8443`, REPORTS_DIR: reportsDir, CHECK_TIMEOUT_MS: '2000' });
    const { deps: d, lines } = deps(reportsDir);
    // Only the planning step is of interest here: no target is started.
    await startRun(config, { ...d, remainingMs: () => 0 });

    expect((await readdir(memories)).sort()).toEqual([`127.0.0.1_${server.port}.json`, 'kept.example_8443_192.0.2.1.json']);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'alert memory of removed targets forgotten', targets: 2 }));
  });

  it('reads the alert settings: ALERT_THRESHOLDS (default 30,14,7,3,1), ALERT_WEBHOOKS, ALERT_WEBHOOKS_PARAMETER', async () => {
    expect((await readJobConfig({ TARGETS: 'example.com' })).alerts).toEqual({ webhooks: '', parameter: null, thresholds: [30, 14, 7, 3, 1] });
    const set = await readJobConfig({ TARGETS: 'example.com', ALERT_THRESHOLDS: '7, 60,7', ALERT_WEBHOOKS: 'webhook+http://127.0.0.1:9/h', ALERT_WEBHOOKS_PARAMETER: ' /certcheck/hooks ' });
    expect(set.alerts).toEqual({ webhooks: 'webhook+http://127.0.0.1:9/h', parameter: '/certcheck/hooks', thresholds: [60, 7] });
    await expect(readJobConfig({ TARGETS: 'example.com', ALERT_THRESHOLDS: '30,0' })).rejects.toThrow('ALERT_THRESHOLDS must be whole days of at least 1, separated by commas, not "30,0"');
  });

  it('reads METRICS_PER_TARGET: off unless asked, and refuses anything but true or false', async () => {
    expect((await readJobConfig({ TARGETS: 'example.com' })).metricsPerTarget).toBe(false);
    expect((await readJobConfig({ TARGETS: 'example.com', METRICS_PER_TARGET: 'true' })).metricsPerTarget).toBe(true);
    expect((await readJobConfig({ TARGETS: 'example.com', METRICS_PER_TARGET: '0' })).metricsPerTarget).toBe(false);
    await expect(readJobConfig({ TARGETS: 'example.com', METRICS_PER_TARGET: 'yes' })).rejects.toThrow('METRICS_PER_TARGET must be true or false, not "yes"');
  });

  it('reads BATCH_SIZE (default 50) between 1 and 500: a batch travels as one queue message', () => {
    expect(readRunConfig({}).batchSize).toBe(50);
    expect(readRunConfig({ BATCH_SIZE: '1' }).batchSize).toBe(1);
    expect(readRunConfig({ BATCH_SIZE: '500' }).batchSize).toBe(500);
    expect(() => readRunConfig({ BATCH_SIZE: '0' })).toThrow('BATCH_SIZE must be a whole number from 1 to 500, not "0"');
    expect(() => readRunConfig({ BATCH_SIZE: '501' })).toThrow('BATCH_SIZE must be a whole number from 1 to 500, not "501"');
  });

  it('refuses settings that would check nothing or everything wrong, naming the variable, the value and the range', () => {
    expect(() => readRunConfig({ CONCURRENCY: '0' })).toThrow('CONCURRENCY must be a whole number from 1 to 1024, not "0"');
    expect(() => readRunConfig({ CONCURRENCY: '1025' })).toThrow('CONCURRENCY must be a whole number from 1 to 1024, not "1025"');
    expect(() => readRunConfig({ CHECK_TIMEOUT_MS: '0' })).toThrow('CHECK_TIMEOUT_MS must be a whole number from 100 to 120000, not "0"');
    expect(() => readRunConfig({ CHECK_TIMEOUT_MS: '99' })).toThrow('CHECK_TIMEOUT_MS must be a whole number from 100 to 120000, not "99"');
    expect(() => readRunConfig({ WARN_DAYS: '-5' })).toThrow('WARN_DAYS must be a whole number from 0 to 3650, not "-5"');
    expect(() => readRunConfig({ WARN_DAYS: '5', CRITICAL_DAYS: '10' })).toThrow('CRITICAL_DAYS (10) must not be above WARN_DAYS (5)');
    // The edges are allowed: equal thresholds, the range's ends.
    expect(readRunConfig({ WARN_DAYS: '7', CRITICAL_DAYS: '7', CONCURRENCY: '1', CHECK_TIMEOUT_MS: '100' })).toMatchObject({ warnDays: 7, criticalDays: 7, concurrency: 1, timeoutMs: 100 });
    expect(readRunConfig({ WARN_DAYS: '3650', CONCURRENCY: '1024', CHECK_TIMEOUT_MS: '120000' })).toMatchObject({ warnDays: 3650, concurrency: 1024, timeoutMs: 120_000 });
    expect(readRunConfig({ WARN_DAYS: '', CONCURRENCY: ' ' })).toMatchObject({ warnDays: 30, concurrency: 16 });
    expect(readRunConfig({ WARN_DAYS: '0', CRITICAL_DAYS: '0', CONCURRENCY: ' 8 ' })).toMatchObject({ warnDays: 0, criticalDays: 0, concurrency: 8 });
  });

  it('fans out only when CHECK_QUEUE_URL names a queue: unset or blank runs every step in one process', () => {
    expect(readRunConfig({}).queue).toBeNull();
    expect(readRunConfig({ CHECK_QUEUE_URL: '' }).queue).toBeNull();
    expect(readRunConfig({ CHECK_QUEUE_URL: '  ' }).queue).toBeNull();
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/certcheck-checks';
    expect(readRunConfig({ CHECK_QUEUE_URL: ` ${url} `, SQS_ENDPOINT: 'http://127.0.0.1:9324', AWS_REGION: 'eu-west-1' }).queue).toEqual({ url, endpoint: 'http://127.0.0.1:9324', region: 'eu-west-1' });
  });

  it('refuses a target list with nothing in it as a list that cannot be used (which is told), naming the list', async () => {
    const file = join(dir, 'empty-targets.txt');
    await writeFile(file, '# nothing yet\n\n');
    const refused = readTargetList({ TARGETS_FILE: file });
    await expect(refused).rejects.toThrow('no targets: set TARGETS or list them in TARGETS_FILE');
    await expect(refused).rejects.toMatchObject({ name: 'TargetListError', list: `TARGETS_FILE ${file}` });
  });
});
