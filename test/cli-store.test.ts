/** The CLI's --out on S3 when the bucket is not there: one line and exit 64 before any check. */
import { runCli } from './fixtures/cli-run';
import { s3Endpoint } from './fixtures/test-bucket';
import { startTlsServer, type RunningServer } from './fixtures/tls-server';
import { hierarchy } from './fixtures/pki';

let server: RunningServer;

beforeAll(async () => {
  const pki = await hierarchy('Store');
  server = await startTlsServer({ chain: [await pki.leaf({ cn: 'localhost', sans: ['localhost'] }), pki.intermediate] });
});

afterAll(() => server.close());

it('refuses --out s3:// to a bucket that does not exist: one line on stderr, exit 64, nothing checked', async () => {
  const before = server.stats.connections;
  const { code, stdout, stderr } = await runCli(['--out', 's3://no-such-bucket-here/x', `localhost:${server.port}`, `127.0.0.1:${server.port}`], { S3_ENDPOINT: s3Endpoint });
  expect({ code, stdout }).toEqual({ code: 64, stdout: '' });
  expect(stderr).toMatch(/^certcheck: cannot store reports in s3:\/\/no-such-bucket-here\/x: cannot write s3:\/\/no-such-bucket-here\/x\/\.certcheck-write-check-[^:]+: .*bucket.*\n$/i);
  expect(server.stats.connections).toBe(before);
});
