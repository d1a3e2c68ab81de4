/** The report stores: S3 against a real S3-compatible server (s3rver, started by jest's global setup), and a folder. */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readJobConfig } from '../lib/target-list-config';
import { makeS3Client, MAX_LINK_SECONDS, readS3Text, S3ReportStore } from '../lib/store/s3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsReportStore } from '../lib/store/fs';
import { findLatest, StoreError, type ReportStore } from '../lib/store/store';
import { sampleReport } from './fixtures/reports';
import { s3Bucket as bucket, s3Client as client, s3Endpoint as endpoint, s3Keys } from './fixtures/test-bucket';
import { closedPort } from './fixtures/tls-server';


async function objectText(key: string): Promise<string> {
  const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await answer.Body?.transformToString()) ?? '';
}

describe('the S3 report store', () => {
  it('writes the contract keys under its prefix: every report kept, latest overwritten', async () => {
    const store = new S3ReportStore(client, { bucket, prefix: 'keys/team-a' });
    const first = sampleReport({ host: 'example.com', checkedAt: '2026-11-22T05:00:00.000Z' });
    const second = sampleReport({ host: 'example.com', checkedAt: '2026-11-23T05:00:00.000Z', status: 'warning' });

    await store.putReport(first, { perAddress: false });
    await store.putReport(second, { perAddress: false });

    expect(await s3Keys('keys/team-a/')).toEqual([
      'keys/team-a/latest/example.com_443.json',
      'keys/team-a/reports/example.com_443/2026-11-22/2026-11-22T05-00-00.000Z.json',
      'keys/team-a/reports/example.com_443/2026-11-23/2026-11-23T05-00-00.000Z.json',
    ]);
    expect(JSON.parse(await objectText('keys/team-a/latest/example.com_443.json'))).toEqual(second);
    expect(store.location).toBe(`s3://${bucket}/keys/team-a`);
  });

  it('keys per-address reports with the address, IPv6 colons as dashes, and writes run summaries', async () => {
    const store = new S3ReportStore(client, { bucket, prefix: 'keys/per-address' });
    await store.putReport(sampleReport({ host: 'dual.example', address: '2001:db8::1', checkedAt: '2026-11-23T05:00:00.000Z' }), { perAddress: true });
    await store.putRunSummary({ startedAt: '2026-11-23T05:00:00.000Z', finishedAt: '2026-11-23T05:00:01.000Z', durationMs: 1000, targets: 1, reports: 1, byStatus: { ok: 1 }, reportDurationMs: { median: 12, max: 12 }, storeFailures: [], notChecked: [], skipped: [], notOk: [], lowestDaysRemaining: 12 });

    expect(await s3Keys('keys/per-address/')).toEqual([
      'keys/per-address/latest/dual.example_443_2001-db8--1.json',
      'keys/per-address/reports/dual.example_443_2001-db8--1/2026-11-23/2026-11-23T05-00-00.000Z.json',
      'keys/per-address/runs/2026-11-23T05:00:00.000Z.json',
    ]);
  });

  it('keys a STARTTLS target with its scheme, apart from implicit TLS on the same port; a stored report without a protocol keeps its key', async () => {
    const store = new S3ReportStore(client, { bucket, prefix: 'keys/schemes' });
    const at = '2026-11-23T05:00:00.000Z';
    await store.putReport(sampleReport({ host: 'mail.example', port: 25, protocol: 'smtp', checkedAt: at }), { perAddress: false });
    await store.putReport(sampleReport({ host: 'mail.example', port: 25, checkedAt: at }), { perAddress: false });
    await store.putReport(sampleReport({ host: 'mail.example', port: 465, protocol: 'smtps', checkedAt: at }), { perAddress: false });
    const older = sampleReport({ host: 'old.example', checkedAt: at });
    delete (older.target as Partial<typeof older.target>).protocol;
    await store.putReport(older, { perAddress: false });

    expect((await s3Keys('keys/schemes/latest/')).sort()).toEqual([
      'keys/schemes/latest/mail.example_25.json',
      'keys/schemes/latest/mail.example_465.json',
      'keys/schemes/latest/old.example_443.json',
      'keys/schemes/latest/smtp~mail.example_25.json',
    ]);
    expect((await findLatest(store, 'mail.example', 25, undefined, 'smtp'))?.target.protocol).toBe('smtp');
    expect((await findLatest(store, 'mail.example', 25))?.target.protocol).toBe('https');
  });

  it('reads a text object, and null for a missing one', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'config/targets.txt', Body: 'example.com\n# no\nexample.org:8443\n' }));

    expect(await readS3Text(client, bucket, 'config/targets.txt')).toContain('example.org:8443');
    expect(await readS3Text(client, bucket, 'config/none.txt')).toBeNull();
  });

  it('gives a StoreError that names the object when the server is down', async () => {
    const down = makeS3Client({ endpoint: `http://127.0.0.1:${await closedPort()}` });
    const store = new S3ReportStore(down, { bucket, prefix: '' });

    await expect(store.putReport(sampleReport({ host: 'example.com', checkedAt: '2026-11-23T05:00:00.000Z' }), { perAddress: false })).rejects.toThrow(StoreError);
    await expect(store.getLatest('example.com_443')).rejects.toThrow(/cannot read s3:\/\/certcheck-test\/latest\/example.com_443.json/);
  });

  it('gives a StoreError for a stored object that is not a report', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'junk/latest/example.com_443.json', Body: '{"hello": 1}' }));
    const store = new S3ReportStore(client, { bucket, prefix: 'junk' });

    await expect(store.getLatest('example.com_443')).rejects.toThrow(/not a certcheck report/);
  });
});

describe('a link to the status page in S3', () => {
  const PAGE = '<!doctype html><html><head><title>certcheck</title></head><body><h1>3 targets</h1></body></html>\n';

  async function* pieces(text: string): AsyncGenerator<string> {
    yield text.slice(0, 20);
    yield text.slice(20);
  }

  async function storeWithPage(prefix: string, s3: S3Client = client): Promise<S3ReportStore> {
    const store = new S3ReportStore(s3, { bucket, prefix });
    await store.putPage(pieces(PAGE));
    return store;
  }

  /** A client of the test server whose credentials expire at `expiration`, as Lambda's role credentials do. */
  function clientWithCredentialsUntil(expiration: Date): S3Client {
    return new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: () => Promise.resolve({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'session', expiration }),
    });
  }

  it('is a presigned GET that a plain HTTP client opens: the page, as HTML', async () => {
    const store = await storeWithPage('link/plain');

    const link = await store.pageLink(3600);

    const url = new URL(link.url);
    expect(url.pathname).toBe(`/${bucket}/link/plain/index.html`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    const answer = await fetch(link.url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await answer.text()).toBe(PAGE);
  });

  it('is refused when its signature is tampered with', async () => {
    const store = await storeWithPage('link/tampered');
    const url = new URL((await store.pageLink(3600)).url);
    const signature = url.searchParams.get('X-Amz-Signature') as string;
    url.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);

    const answer = await fetch(url);

    expect(answer.status).toBe(403);
    expect(await answer.text()).not.toContain('3 targets');
  });

  it('opens nothing but the page: the same signature on another key is refused', async () => {
    const store = await storeWithPage('link/other');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'link/other/index.json', Body: '{"secret": true}' }));
    const url = new URL((await store.pageLink(3600)).url);
    url.pathname = url.pathname.replace(/index\.html$/, 'index.json');

    expect((await fetch(url)).status).toBe(403);
  });

  it('is refused once it has expired: its validity starts when it is signed', async () => {
    const store = await storeWithPage('link/expired');
    const signed = new Date(Date.now() - 120_000);

    const link = await store.pageLink(60, signed);

    expect(link.expiresAt).toBe(new Date(signed.getTime() + 60_000).toISOString());
    expect((await fetch(link.url)).status).toBe(403);
  });

  it('says it works until now + seconds, and 7 days at most, with credentials that do not expire', async () => {
    const store = await storeWithPage('link/long');
    const now = new Date();

    const short = await store.pageLink(3600, now);
    const long = await store.pageLink(30 * 86_400, now);

    expect(short.expiresAt).toBe(new Date(now.getTime() + 3600_000).toISOString());
    expect(new URL(long.url).searchParams.get('X-Amz-Expires')).toBe(String(MAX_LINK_SECONDS));
    expect(long.expiresAt).toBe(new Date(now.getTime() + MAX_LINK_SECONDS * 1000).toISOString());
    expect((await fetch(long.url)).status).toBe(200);
  });

  it('says it works only as long as the credentials that sign it', async () => {
    const expiration = new Date(Date.now() + 2 * 3600_000);
    const store = await storeWithPage('link/temporary', clientWithCredentialsUntil(expiration));

    const link = await store.pageLink(7 * 86_400);

    expect(link.expiresAt).toBe(expiration.toISOString());
    expect(new URL(link.url).searchParams.get('X-Amz-Security-Token')).toBe('session');
    expect((await fetch(link.url)).status).toBe(200);
  });

  it('is refused, with a StoreError, when the credentials that would sign it have already expired', async () => {
    const expiration = new Date(Date.now() - 60_000);
    const store = new S3ReportStore(clientWithCredentialsUntil(expiration), { bucket, prefix: 'link/dead' });

    const refused = store.pageLink(600);
    await expect(refused).rejects.toThrow(StoreError);
    await expect(refused).rejects.toThrow(`cannot sign a link to s3://${bucket}/link/dead/index.html: the credentials that sign it expired at ${expiration.toISOString()}`);
  });

  it('says now + seconds when the credentials outlast it', async () => {
    const store = await storeWithPage('link/outlasting', clientWithCredentialsUntil(new Date(Date.now() + 10 * 86_400_000)));
    const now = new Date();

    expect((await store.pageLink(600, now)).expiresAt).toBe(new Date(now.getTime() + 600_000).toISOString());
  });

  it('gives a StoreError when the credentials cannot be had', async () => {
    const broken = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: () => Promise.reject(new Error('no credentials in this test')) });
    const store = new S3ReportStore(broken, { bucket, prefix: 'link/broken' });

    await expect(store.pageLink(600)).rejects.toThrow(StoreError);
    await expect(store.pageLink(600)).rejects.toThrow(/cannot sign a link to s3:\/\/certcheck-test\/link\/broken\/index.html: no credentials in this test/);
  });
});

describe.each([
  ['S3', () => Promise.resolve(new S3ReportStore(client, { bucket, prefix: 'find' }))],
  ['a folder', async () => new FsReportStore(await mkdtemp(join(tmpdir(), 'certcheck-find-')))],
])('the latest report in %s', (_medium, open) => {
  it('is the newest of a target, whole or per address, and null when there is none', async () => {
    const store: ReportStore = await open();
    await store.putReport(sampleReport({ host: 'a.example', address: '192.0.2.1', checkedAt: '2026-11-23T05:00:00.000Z' }), { perAddress: true });
    await store.putReport(sampleReport({ host: 'a.example', address: '192.0.2.2', checkedAt: '2026-11-23T05:00:02.000Z' }), { perAddress: true });
    await store.putReport(sampleReport({ host: 'a.example', port: 4430, checkedAt: '2026-11-23T06:00:00.000Z' }), { perAddress: false });

    expect((await findLatest(store, 'a.example', 443))?.target.address).toBe('192.0.2.2');
    expect((await findLatest(store, 'a.example', 443, '192.0.2.1'))?.target.address).toBe('192.0.2.1');
    expect((await findLatest(store, 'a.example', 4430))?.checkedAt).toBe('2026-11-23T06:00:00.000Z');
    expect(await findLatest(store, 'b.example', 443)).toBeNull();
  });
});

describe('TARGETS_FILE on S3', () => {
  const read = (settings: { endpoint?: string }, where: { bucket: string; prefix: string }) =>
    readS3Text(makeS3Client(settings), where.bucket, where.prefix);

  it('is read at each run, so a changed list needs no deploy', async () => {
    const env = { TARGETS_FILE: `s3://${bucket}/lists/targets.txt`, S3_ENDPOINT: endpoint };
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'lists/targets.txt', Body: 'example.com\n' }));
    expect((await readJobConfig(env, read)).targets.map((t) => t.input)).toEqual(['example.com']);

    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'lists/targets.txt', Body: 'example.com\nexample.org:8443 # new\n' }));
    expect((await readJobConfig(env, read)).targets.map((t) => t.input)).toEqual(['example.com', 'example.org:8443']);
  });

  it('is refused with a clear message when the object is missing, as a list that cannot be read (which is told)', async () => {
    const refused = readJobConfig({ TARGETS_FILE: `s3://${bucket}/lists/none.txt`, S3_ENDPOINT: endpoint }, read);
    await expect(refused).rejects.toThrow(`cannot read TARGETS_FILE s3://${bucket}/lists/none.txt: no such object`);
    await expect(refused).rejects.toMatchObject({ name: 'TargetListError', list: `TARGETS_FILE s3://${bucket}/lists/none.txt` });
  });
});
