/** The CLI with a structured --targets-file: per-target thresholds, trust, servername and address, against local TLS servers. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../lib/report';
import { runCli as run } from './fixtures/cli-run';
import { DAY, hierarchy } from './fixtures/pki';
import { startTlsServer, type RunningServer } from './fixtures/tls-server';

let soon: RunningServer;
let privateServer: RunningServer;
let dir: string;

beforeAll(async () => {
  const [pub, internal] = await Promise.all([hierarchy('Public'), hierarchy('Internal')]);
  soon = await startTlsServer({ chain: [await pub.leaf({ cn: 'soon.test', notAfter: new Date(Date.now() + 12 * DAY) }), pub.intermediate] });
  privateServer = await startTlsServer({ chain: [await internal.leaf({ cn: 'private.test' }), internal.intermediate] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-fleet-'));
  await writeFile(join(dir, 'public-root.pem'), pub.root.pem);
  await writeFile(join(dir, 'internal-root.pem'), internal.root.pem);
});

afterAll(async () => {
  await Promise.all([soon.close(), privateServer.close()]);
});

async function fleet(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function byServername(reports: Report[]): Record<string, Report> {
  return Object.fromEntries(reports.map((r) => [`${r.target.servername}:${r.target.host}`, r]));
}

describe('certcheck --targets-file with a structured file', () => {
  it('checks each target with its own thresholds, trust, name and address', async () => {
    const file = await fleet(
      'fleet.yaml',
      [
        'targets:',
        `  - target: soon.test:${soon.port}`,
        '    address: 127.0.0.1',
        '    labels: [team web]',
        `  - target: 127.0.0.1:${soon.port}`,
        '    servername: soon.test',
        '    warnDays: 10',
        `  - target: private.test:${privateServer.port}`,
        '    address: 127.0.0.1',
        '    ca: internal-root.pem',
        `  - target: 127.0.0.1:${privateServer.port}`,
        '    servername: private.test',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await run(['--json', '--no-resumption', '--no-revocation', '--ca-file', join(dir, 'public-root.pem'), '--targets-file', file]);
    expect(stderr).toBe('');
    const reports = byServername(JSON.parse(stdout) as Report[]);
    // The run's 30 days: 12 days left warns; the target's own 10 days: ok.
    expect(reports['soon.test:soon.test']).toMatchObject({ status: 'warning', target: { address: '127.0.0.1' }, labels: ['team web'] });
    expect(reports['soon.test:soon.test'].findings.map((f) => f.code)).toEqual(['EXPIRES_SOON']);
    expect(reports['soon.test:127.0.0.1']).toMatchObject({ status: 'ok', target: { servername: 'soon.test', address: '127.0.0.1' } });
    expect(reports['soon.test:127.0.0.1'].labels).toBeUndefined();
    // Its own CA makes the private server trusted; the same server without it is not.
    expect(reports['private.test:private.test']).toMatchObject({ status: 'ok', chain: { trusted: true } });
    expect(reports['private.test:127.0.0.1']).toMatchObject({ status: 'critical', chain: { trusted: false } });
    expect(reports['private.test:127.0.0.1'].findings.map((f) => f.code)).toContain('UNTRUSTED_ROOT');
    expect(code).toBe(2);
  });

  it('replaces the run\'s trust for a target whose caMode is replace', async () => {
    const file = await fleet(
      'replace.yaml',
      `- target: soon.test:${soon.port}\n  address: 127.0.0.1\n  warnDays: 10\n  ca: internal-root.pem\n  caMode: replace\n`,
    );
    const { stdout } = await run(['--json', '--no-resumption', '--no-revocation', '--ca-file', join(dir, 'public-root.pem'), '--targets-file', file]);
    const [report] = JSON.parse(stdout) as Report[];
    expect(report.chain?.trusted).toBe(false);
  });

  it('names every bad entry with its file and line, checks nothing and exits 64', async () => {
    const file = await fleet('bad.yaml', `targets:\n  - target: soon.test:${soon.port}\n    warnDays: soon\n  - target: other.test\n    colour: red\n  - good.test\n`);
    const { code, stdout, stderr } = await run(['--json', '--targets-file', file]);
    expect(code).toBe(64);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `certcheck: ${file}:3: warnDays must be a number of days ≥ 0 (whole, at most 3650), got "soon"\n` +
        `certcheck: ${file}:5: unknown key "colour" (known keys: target, servername, address, ca, caMode, warnDays, criticalDays, alerts, labels)\n`,
    );
  });

  it('refuses a file that is not YAML with the line of the error', async () => {
    const file = await fleet('broken.yaml', 'targets:\n  - a.test\n  - target: b.test\n    labels: [x, y\n');
    const { code, stderr } = await run(['--targets-file', file]);
    expect(code).toBe(64);
    expect(stderr).toMatch(new RegExp(`^certcheck: ${file.replace(/[.]/g, '\\.')}:[45]: not valid YAML or JSON: `));
  });

  it('refuses a ca file that cannot be read before anything is checked', async () => {
    const file = await fleet('noca.yaml', `- target: soon.test:${soon.port}\n  ca: missing.pem\n`);
    const { code, stderr } = await run(['--targets-file', file]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^certcheck: soon\.test:\d+: ca: .*missing\.pem/);
  });

  it('still reads a plain file whose name says nothing, pins and all', async () => {
    const file = await fleet('plain.txt', `# plain\n127.0.0.1:${soon.port}\n`);
    const { stdout } = await run(['--json', '--no-resumption', '--no-revocation', '--targets-file', file]);
    expect((JSON.parse(stdout) as Report[])[0].target).toMatchObject({ host: '127.0.0.1', servername: null });
  });
});
