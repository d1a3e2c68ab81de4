/**
 * The fleet index (`index.json`, written after every scheduled run) and `certcheck summary`,
 * which reads it: in a folder and on the S3-compatible server, after real runs on 127.0.0.1.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readJobConfig } from '../lib/target-list-config';
import { pageRowKeys } from './fixtures/fleet';
import { byUrgency, type FleetIndex, type IndexEntry, indexEntryOf, indexText } from '../lib/fleet-index';
import { sampleReport } from './fixtures/reports';
import { runScheduled } from '../lib/scheduled-run';
import { FsReportStore } from '../lib/store/fs';
import { S3ReportStore } from '../lib/store/s3';
import type { ReportStore, RunSummary } from '../lib/store/store';
import { TrustStore } from '../lib/x509/trust-store';
import { runCli } from './fixtures/cli-run';
import { withEnv } from './fixtures/lambda';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { s3Bucket, s3Client, s3Endpoint } from './fixtures/test-bucket';
import { closedPort, type RunningServer, startTlsServer } from './fixtures/tls-server';

let pki: Hierarchy;
let healthy: RunningServer;
let expiring: RunningServer;
let closed: number;

beforeAll(async () => {
  pki = await hierarchy('Index');
  healthy = await startTlsServer({ chain: [await pki.leaf({ cn: 'fine', sans: ['127.0.0.1'] }), pki.intermediate] });
  expiring = await startTlsServer({ chain: [await pki.leaf({ cn: 'soon', sans: ['127.0.0.1'], notAfter: new Date(Date.now() + 10.5 * DAY) }), pki.intermediate] });
  closed = await closedPort();
});

afterAll(async () => {
  await Promise.all([healthy.close(), expiring.close()]);
});

async function* textOf(text: string): AsyncGenerator<string> {
  yield text;
}

async function run(store: ReportStore, dir: string): Promise<RunSummary> {
  const config = await readJobConfig({ TARGETS: `127.0.0.1:${healthy.port},127.0.0.1:${closed},127.0.0.1:${expiring.port}`, REPORTS_DIR: dir, CHECK_TIMEOUT_MS: '2000', ALL_ADDRESSES: 'false' });
  return runScheduled(config, { store, trustStore: new TrustStore([pki.root.cert], 'the test roots'), log: () => undefined });
}

/** A folder store whose index write fails once its first entry is read (a disk that filled up). */
class IndexFailsStore extends FsReportStore {
  override async putIndex(text: AsyncIterable<string>): Promise<void> {
    for await (const piece of text) if (piece.includes('"key"')) throw new Error('no space left on device');
  }
}

/** A folder store that cannot write the status page. */
class PageFailsStore extends FsReportStore {
  override putPage(): Promise<void> {
    return Promise.reject(new Error('access denied'));
  }
}

describe('the fleet index', () => {
  it('is written after a run in a folder: one entry per target, with status, days left, expiry, issuer, codes and the stored report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-index-'));
    await run(new FsReportStore(dir), dir);

    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as FleetIndex;
    expect(index).toMatchObject({ schemaVersion: 1, generatedAt: expect.any(String), runStartedAt: expect.any(String) });
    const byKey = Object.fromEntries(index.targets.map((e) => [e.key, e]));
    expect(Object.keys(byKey).sort()).toEqual([`127.0.0.1_${closed}`, `127.0.0.1_${expiring.port}`, `127.0.0.1_${healthy.port}`].sort());
    expect(byKey[`127.0.0.1_${closed}`]).toMatchObject({ host: '127.0.0.1', port: closed, status: 'unknown', daysRemaining: null, notAfter: null, issuer: null, codes: ['CONNECTION_FAILED'] });
    expect(byKey[`127.0.0.1_${expiring.port}`]).toMatchObject({ status: 'warning', codes: ['EXPIRES_SOON'], issuer: expect.stringContaining('Index Intermediate CA') });
    expect(byKey[`127.0.0.1_${expiring.port}`].daysRemaining).toBeCloseTo(10.5, 0);
    const stored = byKey[`127.0.0.1_${healthy.port}`].report as string;
    expect(stored).toMatch(new RegExp(`^reports/127\\.0\\.0\\.1_${healthy.port}/\\d{4}-\\d\\d-\\d\\d/.+\\.json$`));
    expect(JSON.parse(await readFile(join(dir, stored), 'utf8'))).toMatchObject({ status: 'ok' });
    // What the status page's detail view shows, from the report: chain, resumption, revocation, history.
    const healthyEntry = byKey[`127.0.0.1_${healthy.port}`];
    expect(healthyEntry.chain).toEqual({ trusted: true, presented: [expect.stringContaining('CN='), expect.stringContaining('Index Intermediate CA')], path: expect.arrayContaining([expect.stringContaining('Index Intermediate CA')]) });
    expect(healthyEntry.resumption).toEqual({ sessionId: expect.any(String), ticket: expect.any(String), tls13: expect.any(String) });
    expect(healthyEntry.revocation).toEqual({ status: expect.any(String), method: expect.any(String) });
    expect(healthyEntry.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(healthyEntry.history).toEqual([[index.runStartedAt.slice(0, 10), 1, 'ok', healthyEntry.daysRemaining, 0]]);
    expect(byKey[`127.0.0.1_${closed}`].findings).toEqual([expect.objectContaining({ code: 'CONNECTION_FAILED', severity: 'unknown', message: expect.any(String) })]);
    expect(byKey[`127.0.0.1_${closed}`].history).toEqual([[index.runStartedAt.slice(0, 10), 1, 'unknown', null, 0]]);
    // The status page beside it, rows in urgency order.
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    expect(pageRowKeys(page)).toEqual([`127.0.0.1_${closed}`, `127.0.0.1_${expiring.port}`, `127.0.0.1_${healthy.port}`]);
  });

  it('leaves the status page whole when the index is not written whole, and says the index was not stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-index-fails-'));
    const summary = await run(new IndexFailsStore(dir), dir);

    expect(summary.errors).toEqual([expect.stringMatching(/^index not stored: no space left on device/)]);
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    expect(pageRowKeys(page)).toEqual([`127.0.0.1_${closed}`, `127.0.0.1_${expiring.port}`, `127.0.0.1_${healthy.port}`]);
    expect(page).toContain('<li data-status="all"><span class="n">3</span>');
  });

  it('says in the run summary when the status page could not be stored, and still writes the index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-page-fails-'));
    const summary = await run(new PageFailsStore(dir), dir);

    expect(summary.errors).toEqual([expect.stringMatching(/^status page not stored: access denied/)]);
    expect((JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as FleetIndex).targets).toHaveLength(3);
  });

  it('is valid JSON however many entries stream into it, and none', async () => {
    const entry = (i: number): IndexEntry => ({ key: `h${i}_443`, host: `h${i}`, port: 443, address: null, status: 'ok', daysRemaining: i, notAfter: null, issuer: null, codes: [], checkedAt: 'x', report: null });
    for (const n of [0, 1, 3]) {
      let text = '';
      for await (const piece of indexText({ schemaVersion: 1, generatedAt: 'g', runStartedAt: 'r' }, Array.from({ length: n }, (_, i) => entry(i)))) text += piece;
      expect((JSON.parse(text) as FleetIndex).targets.map((e) => e.key)).toEqual(Array.from({ length: n }, (_, i) => `h${i}_443`));
    }
  });

  it('carries the scheme of a target reached by STARTTLS, and none for implicit TLS', () => {
    const at = '2026-05-01T00:00:00.000Z';
    expect(indexEntryOf(sampleReport({ host: 'mail.test', port: 25, protocol: 'smtp', checkedAt: at }), 'smtp~mail.test_25', null).scheme).toBe('smtp');
    expect(indexEntryOf(sampleReport({ host: 'mail.test', port: 993, protocol: 'imaps', checkedAt: at }), 'mail.test_993', null)).not.toHaveProperty('scheme');
  });

  it('sorts by urgency: critical, unknown, warning, ok, then fewest days left', () => {
    const e = (key: string, status: IndexEntry['status'], daysRemaining: number | null): IndexEntry => ({ key, host: key, port: 443, address: null, status, daysRemaining, notAfter: null, issuer: null, codes: [], checkedAt: 'x', report: null });
    const sorted = [e('a', 'ok', 5), e('b', 'warning', 20), e('c', 'critical', 80), e('d', 'unknown', null), e('e', 'warning', 3), e('f', 'ok', 200)].sort(byUrgency);
    expect(sorted.map((x) => x.key)).toEqual(['c', 'd', 'e', 'b', 'a', 'f']);
  });
});

describe('certcheck summary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certcheck-summary-'));
    await run(new FsReportStore(dir), dir);
  });

  it('prints the fleet most urgent first, counts on stderr, exit code by the worst status (unknown: 3)', async () => {
    const { code, stdout, stderr } = await runCli(['summary', dir]);
    expect(code).toBe(3);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+TARGET\s+EXPIRES\s+ON\s+ISSUER\s+FINDINGS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['unknown', 'warning', 'ok']);
    expect(lines[1]).toContain(`127.0.0.1:${closed}`);
    expect(lines[2]).toMatch(/EXPIRES_SOON$/);
    const [counts, page, ...rest] = stderr.split('\n');
    expect(counts).toMatch(/^certcheck: 3 targets as of the run of .+: 0 critical, 1 unknown, 1 warning, 1 ok$/);
    // A folder's page is there as long as the folder is: no validity to state.
    expect(page).toBe(`status page: ${pathToFileURL(join(dir, 'index.html')).href}`);
    expect(rest).toEqual(['']);
  });

  it('--only-problems leaves the ok targets out (the exit code still counts them all); --json gives the index', async () => {
    const only = await runCli(['summary', dir, '--only-problems']);
    expect(only.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['unknown', 'warning']);
    expect(only.code).toBe(3);
    const json = await runCli(['summary', '--json', dir]);
    expect((JSON.parse(json.stdout) as FleetIndex).targets.map((t) => t.status)).toEqual(['unknown', 'warning', 'ok']);
    expect(json.stderr).toBe('');
  });

  it('reads the index from S3 (S3_ENDPOINT), and prints a presigned link to the status page that opens it, with until when it works', async () => {
    const store = new S3ReportStore(s3Client, { bucket: s3Bucket, prefix: 'summary' });
    await run(store, dir);
    await store.putPage(textOf('<!doctype html><title>certcheck</title><p>3 targets</p>\n'));
    const before = Date.now();

    const { code, stdout, stderr } = await runCli(['summary', `s3://${s3Bucket}/summary`], { ...process.env, S3_ENDPOINT: s3Endpoint });

    expect(code).toBe(3);
    expect(stdout.trim().split('\n')).toHaveLength(4);
    const [, line] = stderr.split('\n');
    const [, url, until] = /^status page: (\S+) \(link valid until (\S+)\)$/.exec(line) ?? [];
    expect(new URL(url).pathname).toBe(`/${s3Bucket}/summary/index.html`);
    // Credentials from the environment do not expire: the link's own 7 days.
    expect(Date.parse(until) - before).toBeGreaterThanOrEqual(7 * DAY - 1000);
    expect(Date.parse(until) - Date.now()).toBeLessThanOrEqual(7 * DAY);
    const page = await fetch(url);
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('3 targets')]);
  });

  it('says in one line why there is no link to the status page, and keeps the exit code', async () => {
    await run(new S3ReportStore(s3Client, { bucket: s3Bucket, prefix: 'summary-no-link' }), dir);
    const expired = new Date(Date.now() - 3600_000).toISOString();

    // The SDK reads its credentials from the process's environment: these have expired.
    const restore = withEnv({ AWS_SESSION_TOKEN: 'session', AWS_CREDENTIAL_EXPIRATION: expired });
    const { code, stdout, stderr } = await runCli(['summary', `s3://${s3Bucket}/summary-no-link`], { ...process.env, S3_ENDPOINT: s3Endpoint }).finally(restore);

    expect(code).toBe(3);
    expect(stdout.trim().split('\n')).toHaveLength(4);
    expect(stderr.split('\n').slice(1)).toEqual([
      `certcheck: no link to the status page: cannot sign a link to s3://${s3Bucket}/summary-no-link/index.html: the credentials that sign it expired at ${expired}`,
      '',
    ]);
  });

  it('refuses with exit 64 where there is no index, or no place, saying why', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'certcheck-summary-empty-'));
    expect(await runCli(['summary', empty])).toEqual({ code: 64, stdout: '', stderr: `certcheck: no index.json in ${empty}: the scheduled check writes it after each run\n` });
    expect((await runCli(['summary'])).stderr).toBe('certcheck: summary needs one place: certcheck summary <dir | s3://bucket/prefix>\n');
    expect((await runCli(['summary', dir, '--jsn'])).code).toBe(64);
  });
});
