/**
 * Internal PKI in the functions: a private CA from CA_FILE (a PEM file or an s3:// object, added
 * to the Mozilla roots or trusted alone with CA_MODE), and a target line pinned to an address
 * (`internal.test:443 @127.0.0.1`), as the CLI's --add-ca-file / --ca-file and --resolve.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, ScheduledEvent } from 'aws-lambda';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler as httpHandler } from '../handlers/http-check';
import { handler } from '../handlers/scheduled-check';
import { readRunConfig } from '../lib/config';
import { readJobConfig } from '../lib/target-list-config';
import type { Report } from '../lib/report';
import type { RunSummary } from '../lib/store/store';
import { parseListTarget } from '../lib/target-list';
import { runCli } from './fixtures/cli-run';
import { lambdaContext, sampleEvent, withEnv } from './fixtures/lambda';
import { hierarchy, type Hierarchy } from './fixtures/pki';
import { s3Bucket as bucket, s3Client as client, s3Endpoint as endpoint } from './fixtures/test-bucket';
import { startTlsServer, type RunningServer } from './fixtures/tls-server';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

let pki: Hierarchy;
let server: RunningServer;
let dir: string;
let caFile: string;
let restoreEnv: () => void = () => undefined;
const event = sampleEvent<ScheduledEvent>('scheduled.json');

beforeAll(async () => {
  pki = await hierarchy('Internal');
  // A name no resolver knows: only the pin can reach it.
  server = await startTlsServer({ chain: [await pki.leaf({ cn: 'internal.test', sans: ['internal.test'] }), pki.intermediate] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-pki-'));
  caFile = join(dir, 'internal-root.pem');
  await writeFile(caFile, pki.root.pem);
});

afterAll(() => server.close());
afterEach(() => restoreEnv());

async function run(env: Record<string, string | undefined>): Promise<Report> {
  const out = await mkdtemp(join(dir, 'run-'));
  restoreEnv = withEnv({ S3_BUCKET: undefined, S3_ENDPOINT: endpoint, REPORTS_DIR: out, TARGETS: `internal.test:${server.port} @127.0.0.1`, CHECK_TIMEOUT_MS: '3000', CA_FILE: undefined, CA_MODE: undefined, ...env });
  const summary = (await handler(event, lambdaContext(900_000))) as RunSummary;
  expect(summary.reports).toBe(1);
  return JSON.parse(await readFile(join(out, 'latest', `internal.test_${server.port}_127.0.0.1.json`), 'utf8')) as Report;
}

describe('a target line pinned to an address', () => {
  it('reads host:port @address, keeping the whole line as the input (it travels so to the workers)', () => {
    expect(parseListTarget('internal.test:8443 @10.0.0.7')).toEqual({ target: { host: 'internal.test', port: 8443, protocol: 'https', ipVersion: 0, input: 'internal.test:8443 @10.0.0.7' }, pin: '10.0.0.7' });
    expect(parseListTarget('https://v6.test/x  @2001:DB8::1').pin).toBe('2001:db8::1');
    expect(parseListTarget('plain.test').pin).toBeNull();
    expect(() => parseListTarget('internal.test @nowhere')).toThrow('invalid target "internal.test @nowhere": "@nowhere" is not an IP address to connect to (write host:port @10.0.0.7)');
    expect(() => parseListTarget('internal.test @')).toThrow('is not an IP address');
  });

  it('is skipped, named by its line, when the pin is not an address; plain lines still work', async () => {
    const config = await readJobConfig({ TARGETS: 'a.test:443 @10.0.0.7\nb.test @not-an-ip\nc.test' });
    expect(config.targets.map((t) => t.input)).toEqual(['a.test:443 @10.0.0.7', 'c.test']);
    expect(config.skipped).toEqual([{ where: 'entry 2 of TARGETS', entry: 'b.test @not-an-ip', reason: expect.stringContaining('is not an IP address') }]);
  });
});

describe('CA_FILE and CA_MODE', () => {
  it('connects to the pinned address and trusts the CA file added to the Mozilla roots', async () => {
    const report = await run({ CA_FILE: caFile });
    expect(report).toMatchObject({ status: 'ok', target: { host: 'internal.test', address: '127.0.0.1' } });
    expect(report.chain?.trusted).toBe(true);
  });

  it('without the CA file, the same target has an untrusted root (the pin alone reaches it)', async () => {
    const report = await run({});
    expect(report.findings.map((f) => f.code)).toContain('UNTRUSTED_ROOT');
  });

  it('trusts the CA file alone with CA_MODE=replace, and beside the Mozilla roots without it', async () => {
    expect((await run({ CA_FILE: caFile, CA_MODE: 'replace' })).status).toBe('ok');
    // Another CA's file: the finding names what was trusted, which tells the two modes apart.
    const other = join(dir, 'other-root.pem');
    await writeFile(other, (await hierarchy('Other')).root.pem);
    const untrusted = (report: Report) => report.findings.find((f) => f.code === 'UNTRUSTED_ROOT')?.message ?? '';
    const replaced = untrusted(await run({ CA_FILE: other, CA_MODE: 'replace' }));
    expect(replaced).toContain(`the CA file ${other}`);
    expect(replaced).not.toContain('Mozilla');
    expect(untrusted(await run({ CA_FILE: other, CA_MODE: 'ADD' }))).toContain(`Mozilla roots bundled with Node and the CA file ${other}`);
  });

  it('reads the CA file from an s3:// object', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'pki/internal-root.pem', Body: pki.root.pem }));
    expect((await run({ CA_FILE: `s3://${bucket}/pki/internal-root.pem` })).status).toBe('ok');
  });

  it('refuses a CA file it cannot read, or a mode it does not know, before checking anything', async () => {
    restoreEnv = withEnv({ TARGETS: 'example.test', REPORTS_DIR: dir, S3_BUCKET: undefined, CA_FILE: join(dir, 'missing.pem'), CA_MODE: undefined });
    await expect(handler(event, lambdaContext(900_000))).rejects.toThrow(/^CA_FILE: cannot read CA file .*missing\.pem/);
    restoreEnv();
    expect(() => readRunConfig({ CA_FILE: caFile, CA_MODE: 'merge' })).toThrow('CA_MODE must be add or replace, not "merge"');
    expect(() => readRunConfig({ CA_MODE: 'replace' })).toThrow('CA_MODE needs CA_FILE');
    expect(readRunConfig({ CA_FILE: ` ${caFile} ` }).ca).toEqual({ file: caFile, mode: 'add' });
  });

  it('serves the HTTP door too (GET /check on an internal name, ALLOW_PRIVATE_TARGETS)', async () => {
    restoreEnv = withEnv({ CA_FILE: caFile, ALLOW_PRIVATE_TARGETS: 'true', CHECK_TIMEOUT_MS: '3000', S3_BUCKET: undefined });
    const get = sampleEvent<APIGatewayProxyEvent>('http-check-get.json');
    const result = await httpHandler({ ...get, queryStringParameters: { target: `localhost:${server.port}` } }, lambdaContext(28_000));
    const report = JSON.parse(result.body) as Report;
    // Trusted by the CA file; the name is another matter (the leaf is for internal.test).
    expect(report.chain?.trusted).toBe(true);
    expect(report.findings.map((f) => f.code)).toEqual(['HOSTNAME_MISMATCH']);
  });
});

describe('the CLI', () => {
  it('takes a pinned line from --targets-file, as --resolve would', async () => {
    const file = join(dir, 'pinned.txt');
    await writeFile(file, `internal.test:${server.port} @127.0.0.1\n`);
    const { code, stdout } = await runCli(['--json', '--no-resumption', '--no-revocation', '--ca-file', caFile, '--targets-file', file]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report[])[0]).toMatchObject({ status: 'ok', target: { host: 'internal.test', address: '127.0.0.1' } });
  });
});
