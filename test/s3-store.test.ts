/** The report stores: S3 against a real S3-compatible server (s3rver, started by jest's global setup), and a folder. */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readJobConfig } from '../lib/config';
import { makeS3Client, readS3Text, S3ReportStore } from '../lib/store/s3';
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
      'keys/team-a/reports/example.com_443/2026-11-22/2026-11-22T05:00:00.000Z.json',
      'keys/team-a/reports/example.com_443/2026-11-23/2026-11-23T05:00:00.000Z.json',
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
      'keys/per-address/reports/dual.example_443_2001-db8--1/2026-11-23/2026-11-23T05:00:00.000Z.json',
      'keys/per-address/runs/2026-11-23T05:00:00.000Z.json',
    ]);
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
