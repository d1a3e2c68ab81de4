/** The terminal door: exit codes, --json, bad arguments, --out (a folder or S3), --resolve, --ca-file. */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { EXIT_NOT_STORED, main } from '../handlers/cli';
import { useColour } from '../lib/format';
import { runCli as run, sink } from './fixtures/cli-run';
import type { Report } from '../lib/report';
import { DAY, hierarchy, type Hierarchy } from './fixtures/pki';
import { s3Bucket, s3Endpoint, s3Keys } from './fixtures/test-bucket';
import { startStarttlsServer } from './fixtures/starttls-server';
import { closedPort, startDelayingProxy, startTlsServer, type RunningServer } from './fixtures/tls-server';
import { startWebhookReceiver } from './fixtures/webhook-receiver';

let pki: Hierarchy;
let good: RunningServer;
let expiring: RunningServer;
let expired: RunningServer;
let closed: number;
let dir: string;
let caFile: string;


const BIN = join(__dirname, '..', 'dist', 'handlers', 'cli.js');

/** Runs the built bin (npm test builds it first): its exit code and stdout. */
function runBin(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], (_err, stdout) => resolve({ code: child.exitCode, stdout }));
  });
}



beforeAll(async () => {
  pki = await hierarchy('CLI');
  good = await startTlsServer({ chain: [await pki.leaf({ cn: 'good.test' }), pki.intermediate] });
  expiring = await startTlsServer({ chain: [await pki.leaf({ cn: 'soon.test', notAfter: new Date(Date.now() + 12 * DAY) }), pki.intermediate] });
  expired = await startTlsServer({ chain: [await pki.leaf({ cn: 'expired.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 3 * DAY) }), pki.intermediate] });
  closed = await closedPort();
  dir = await mkdtemp(join(tmpdir(), 'certcheck-cli-'));
  caFile = join(dir, 'root.pem');
  await writeFile(caFile, pki.root.pem);
});

afterAll(async () => {
  await Promise.all([good.close(), expiring.close(), expired.close()]);
});

const resolveArgs = () => [
  '--ca-file',
  caFile,
  ...[`good.test:${good.port}`, `soon.test:${expiring.port}`, `expired.test:${expired.port}`].flatMap((target) => ['--resolve', `${target}:127.0.0.1`]),
];

describe('certcheck', () => {
  it('prints a JSON array of contract reports and exits 0 for a good target', async () => {
    const { code, stdout } = await run([...resolveArgs(), '--json', `good.test:${good.port}`]);
    expect(code).toBe(0);
    const reports = JSON.parse(stdout) as Report[];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ schemaVersion: 1, status: 'ok', target: { host: 'good.test', port: good.port, address: '127.0.0.1' } });
    expect(reports[0].resumption.tls13).toBe('supported');
  });

  it('checks smtp://host:port through SMTP STARTTLS, and exits 2 for a server that refuses it', async () => {
    const leaf = await pki.leaf({ cn: 'mail.test' });
    const mail = await startStarttlsServer({ chain: [leaf, pki.intermediate], dialogue: 'smtp' });
    const refusing = await startStarttlsServer({ chain: [leaf, pki.intermediate], dialogue: 'smtp', replies: { starttls: '454 4.7.0 TLS not available\r\n' }, then: 'wait' });
    try {
      const resolve = [mail.port, refusing.port].flatMap((port) => ['--resolve', `mail.test:${port}:127.0.0.1`]);
      const ok = await run(['--ca-file', caFile, ...resolve, '--json', '--no-resumption', `smtp://mail.test:${mail.port}`]);
      const no = await run(['--ca-file', caFile, ...resolve, '--json', '--no-resumption', `smtp://mail.test:${refusing.port}`]);

      expect(ok.code).toBe(0);
      expect((JSON.parse(ok.stdout) as Report[])[0]).toMatchObject({ status: 'ok', target: { host: 'mail.test', port: mail.port, protocol: 'smtp' } });
      expect(no.code).toBe(2);
      expect((JSON.parse(no.stdout) as Report[])[0].findings).toEqual([{ code: 'STARTTLS_REFUSED', severity: 'critical', message: 'the server refused STARTTLS: "454 4.7.0 TLS not available"' }]);
    } finally {
      await Promise.all([mail.close(), refusing.close()]);
    }
  });

  it('exits with the worst status over all targets, reports in input order', async () => {
    const { code, stdout } = await run([...resolveArgs(), '--json', '--no-resumption', `soon.test:${expiring.port}`, `good.test:${good.port}`]);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Report[]).map((r) => [r.target.host, r.status])).toEqual([
      ['soon.test', 'warning'],
      ['good.test', 'ok'],
    ]);
    const critical = await run([...resolveArgs(), '--no-resumption', '--critical-days', '14', `soon.test:${expiring.port}`]);
    expect(critical.code).toBe(2);
  });

  it('exits 3 when a target cannot be reached', async () => {
    const unreachable = await run(['--ca-file', caFile, '--timeout', '2000', '127.0.0.1:1']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stdout).toContain('CONNECTION_FAILED');
  });

  // Ranked ok < warning < unknown < critical; exit codes ok 0, warning 1, critical 2, unknown 3.
  it.each([
    ['critical beats unknown: exit 2', () => [`127.0.0.1:${closed}`, `expired.test:${expired.port}`], ['unknown', 'critical'], 2],
    ['unknown beats warning: exit 3', () => [`soon.test:${expiring.port}`, `127.0.0.1:${closed}`], ['warning', 'unknown'], 3],
  ])('ranks the statuses of two targets as the built bin: %s', async (_ranking, targets, statuses, exitCode) => {
    const { code, stdout } = await runBin([...resolveArgs(), '--json', '--no-resumption', ...targets()]);

    expect((JSON.parse(stdout) as Report[]).map((r) => r.status)).toEqual(statuses);
    expect(code).toBe(exitCode);
  });

  it('prints a table with the findings under each target, without colour when not a TTY', async () => {
    const { stdout } = await run([...resolveArgs(), '--no-resumption', `soon.test:${expiring.port}`]);
    expect(stdout).toMatch(/^STATUS\s+TARGET\s+EXPIRES\s+TLS\s+RESUMES\s+ISSUER/);
    expect(stdout).toMatch(/warning\s+soon\.test:\d+ \(127\.0\.0\.1\)\s+1[12]\.\dd\s+TLSv1\.3\s+skipped\s+CN=CLI Intermediate CA/);
    expect(stdout).toMatch(/\n\s+EXPIRES_SOON {2}certificate expires in 1[12] days/);
    expect(stdout).not.toContain('\x1b[');
  });

  it('colours statuses and codes on a terminal, unless NO_COLOR is set', async () => {
    const args = [...resolveArgs(), '--no-resumption', `soon.test:${expiring.port}`];
    const tty = () => Object.assign(sink(), { isTTY: true });
    const coloured = tty();
    await main(args, { stdout: coloured, stderr: sink(), env: {} });
    expect(coloured.text()).toContain('\x1b[33mwarning');
    expect(coloured.text()).toContain('\x1b[33mEXPIRES_SOON');

    const plain = tty();
    await main(args, { stdout: plain, stderr: sink(), env: { NO_COLOR: '1' } });
    expect(plain.text()).not.toContain('\x1b[');
  });

  it('shows progress on a terminal stderr when checking many targets', async () => {
    const stderr = Object.assign(sink(), { isTTY: true });
    await main([...resolveArgs(), '--no-resumption', `soon.test:${expiring.port}`, `good.test:${good.port}`], { stdout: sink(), stderr, env: {} });
    expect(stderr.text()).toContain('checked 2/2');
  });

  it('judges a connection\'s certificate as of --at: 80 days on, a 90-day certificate expires soon', async () => {
    const now = await run([...resolveArgs(), '--json', '--no-resumption', `good.test:${good.port}`]);
    const at = new Date(Date.now() + 80 * DAY).toISOString();
    const later = await run([...resolveArgs(), '--json', '--no-resumption', '--at', at, `good.test:${good.port}`]);

    expect(now.code).toBe(0);
    expect(later.code).toBe(1);
    const [report] = JSON.parse(later.stdout) as Report[];
    expect(report.findings.map((f) => [f.code, f.severity])).toEqual([['EXPIRES_SOON', 'warning']]);
    expect(report.leaf?.daysRemaining).toBeCloseTo(10, 0);
    // checkedAt stays the time the check ran.
    expect(Math.abs(Date.parse(report.checkedAt) - Date.now())).toBeLessThan(60_000);
  });

  it('reports a connection\'s certificate as expired at an --at past its notAfter, and not yet valid before its notBefore', async () => {
    const expired = await run([...resolveArgs(), '--no-resumption', '--at', new Date(Date.now() + 13 * DAY).toISOString(), `soon.test:${expiring.port}`]);
    const early = await run([...resolveArgs(), '--no-resumption', '--at', new Date(Date.now() - 2 * DAY).toISOString(), `good.test:${good.port}`]);

    expect(expired.code).toBe(2);
    expect(expired.stdout).toContain('EXPIRED');
    expect(early.code).toBe(2);
    expect(early.stdout).toContain('NOT_YET_VALID');
  });

  it('reads --at with any time zone offset and fractional seconds as the same instant', async () => {
    const instant = new Date(Math.floor((Date.now() + 40 * DAY) / 60_000) * 60_000);
    /** The instant as the local time of a zone `minutes` east of UTC, with its offset. */
    const inZone = (minutes: number, offset: string) => `${new Date(instant.getTime() + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
    const forms = [instant.toISOString(), inZone(60, '+01:00'), inZone(-330, '-05:30'), `${instant.toISOString().slice(0, 16)}z`, `${instant.toISOString().slice(0, 19)},000Z`];
    const days = [];
    for (const at of forms) {
      const { code, stdout } = await run([...resolveArgs(), '--json', '--no-resumption', '--at', at, `good.test:${good.port}`]);
      expect({ at, code }).toEqual({ at, code: 0 });
      days.push((JSON.parse(stdout) as Report[])[0].leaf?.daysRemaining);
    }
    expect(new Set(days).size).toBe(1);
  });

  it.each([
    ['tomorrow', ''],
    ['2027-01-01', ''],
    ['2027-01-01T00:00:00', ''],
    ['2027-01-01 00:00:00Z', ''],
    ['1798761600', ''],
    ['2027-02-30T00:00:00Z', ' (no such date or time)'],
    ['2027-01-01T24:00:00Z', ' (no such date or time)'],
    ['2027-01-01T12:60:00Z', ' (no such date or time)'],
    ['2027-01-01T00:00:00+24:00', ' (no such time zone offset)'],
  ])('refuses --at %j with exit 64 before checking', async (at, why) => {
    const before = good.stats.connections;
    const { code, stderr, stdout } = await run([...resolveArgs(), '--at', at, `good.test:${good.port}`]);

    expect(code).toBe(64);
    expect(stderr).toBe(`certcheck: --at needs an ISO 8601 date-time with a time zone, such as 2027-01-01T00:00:00Z, not "${at}"${why}\n`);
    expect(stdout).toBe('');
    expect(good.stats.connections).toBe(before);
  });

  it('trusts the CAs of --add-ca-file on top of the Mozilla roots', async () => {
    const pinned = ['--resolve', `good.test:${good.port}:127.0.0.1`, '--json', '--no-resumption', '--no-revocation', `good.test:${good.port}`];
    const added = await run(['--add-ca-file', caFile, ...pinned]);
    const mozillaOnly = await run(pinned);

    expect(added.code).toBe(0);
    expect((JSON.parse(added.stdout) as Report[])[0].chain?.trusted).toBe(true);
    expect(mozillaOnly.code).toBe(2);
    expect((JSON.parse(mozillaOnly.stdout) as Report[])[0].chain?.trusted).toBe(false);
  });

  it('names both sources of trust in a finding when --add-ca-file does not cover the chain', async () => {
    const other = await hierarchy('Other');
    const otherFile = join(dir, 'other-root.pem');
    await writeFile(otherFile, other.root.pem);
    const { code, stdout } = await run(['--add-ca-file', otherFile, '--resolve', `good.test:${good.port}:127.0.0.1`, '--json', '--no-resumption', '--no-revocation', `good.test:${good.port}`]);

    expect(code).toBe(2);
    const [report] = JSON.parse(stdout) as Report[];
    expect(report.findings.map((f) => f.code)).toEqual(['UNTRUSTED_ROOT']);
    expect(report.findings[0].message).toContain(`trusted by the Mozilla roots bundled with Node and the CA file ${otherFile}`);
  });

  it.each([
    [['--ca-file', 'CA', '--add-ca-file', 'CA', 'good.test'], 'certcheck: --ca-file and --add-ca-file cannot be combined: --ca-file trusts exactly its certificates, --add-ca-file adds to the Mozilla roots\n'],
    [['--add-ca-file', '/nonexistent/ca.pem', 'good.test'], "certcheck: cannot read CA file /nonexistent/ca.pem: ENOENT: no such file or directory, open '/nonexistent/ca.pem'\n"],
  ])('refuses %j with exit 64 before checking', async (args, message) => {
    const { code, stderr, stdout } = await run(args.map((a) => (a === 'CA' ? caFile : a)));

    expect(code).toBe(64);
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
  });

  it('lists in --help exactly the options the README\'s CLI section lists', async () => {
    const { code, stdout } = await run(['--help']);
    const readme = await readFile(join(__dirname, '..', 'README.md'), 'utf8');
    const block = /## The CLI\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const options = (text: string) => [...new Set(text.match(/--[a-z][a-z-]*/g))].sort();

    expect(code).toBe(0);
    expect(options(stdout)).toEqual(options(block));
    expect(options(stdout)).toEqual(expect.arrayContaining(['--add-ca-file', '--at', '--chain-file', '--key-file', '--name']));
  });

  it.each([
    [['gopher://good.test'], /scheme "gopher" is not supported/],
    [['--timeout', 'soon', 'good.test'], /--timeout must be a whole number from 100 to 120000, not "soon"/],
    [['--timeout', '0', 'good.test'], /--timeout must be a whole number from 100 to 120000, not "0"/],
    [['--concurrency', '0', 'good.test'], /--concurrency must be a whole number from 1 to 1024, not "0"/],
    [['--warn-days', '5', '--critical-days', '10', 'good.test'], /--critical-days \(10\) must not be above --warn-days \(5\)/],
    [['--bogus', 'good.test'], /^certcheck: unknown option --bogus \(see certcheck --help\)$/m],
    [['--jsn', 'good.test'], /^certcheck: unknown option --jsn \(see certcheck --help\); did you mean --json\?$/m],
    [['--warn-day', '3', 'good.test'], /did you mean --warn-days\?$/m],
    [['--jsno', 'good.test'], /did you mean --json\?$/m],
    [['--conc', '4', 'good.test'], /did you mean --concurrency\?$/m],
    [['--nam', 'x', 'good.test'], /did you mean --name\?$/m],
    [['--warn-days', '-5', 'good.test'], /^certcheck: --warn-days must be a whole number from 0 to 3650, not "-5"$/m],
    [['--timeout'], /^certcheck: --timeout needs a value \(see certcheck --help\)$/m],
    [[], /no target given/],
    [['--resolve', 'good.test:443', 'good.test'], /--resolve needs host:port:address/],
    [['--ca-file', '/nonexistent/ca.pem', 'good.test'], /cannot read CA file/],
  ])('refuses %j with one line on stderr and exit 64', async (args, message) => {
    const { code, stderr, stdout } = await run(args);
    expect(code).toBe(64);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(await readFile(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `certcheck ${pkg.version}\n`, stderr: '' });
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, '-V']);
    expect(stdout).toBe(`certcheck ${pkg.version}\n`);
  });

  it('--help tells the target syntax, the exit codes, the environment and examples', async () => {
    const { stdout } = await run(['--help']);
    for (const part of ['targets: host, host:port', 'exit codes: 0 ok, 1 warning, 2 critical, 3 unknown', '141 output cut short', 'environment: S3_ENDPOINT', 'FORCE_COLOR', 'examples:']) {
      expect(stdout).toContain(part);
    }
  });

  it('--only-problems leaves the ok targets out of the table and the JSON, not out of the exit code', async () => {
    const args = [...resolveArgs(), '--no-resumption', '--only-problems', `good.test:${good.port}`, `soon.test:${expiring.port}`];
    const table = await run(args);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('soon.test');
    expect(table.stdout).not.toContain('good.test');
    const json = await run([...args, '--json']);
    expect((JSON.parse(json.stdout) as Report[]).map((r) => r.target.host)).toEqual(['soon.test']);
  });

  it('ends with one closing line for a person at a terminal (counts, slowest, time), and clears the progress line first', async () => {
    const stdout = sink();
    const stderr = Object.assign(sink(), { isTTY: true });
    const code = await main([...resolveArgs(), '--no-resumption', `good.test:${good.port}`, `soon.test:${expiring.port}`], { stdout, stderr, env: {} });
    expect(code).toBe(1);
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line sequence is what is tested
    expect(stderr.text()).toMatch(/^\rchecked 1\/2\rchecked 2\/2\r\x1b\[Kcertcheck: 2 reports in \d+\.\d s: 0 critical, 0 unknown, 1 warning, 1 ok; slowest (good|soon)\.test:\d+ \(\d+\.\d s\)\n$/);
    // Not on a pipe: scripts get only what they asked for.
    expect((await run([...resolveArgs(), '--no-resumption', `good.test:${good.port}`, `soon.test:${expiring.port}`])).stderr).toBe('');
  });

  it('counts every report in the closing line with --only-problems, the ok ones left out of the output too', async () => {
    const stdout = sink();
    const stderr = Object.assign(sink(), { isTTY: true });
    const code = await main([...resolveArgs(), '--json', '--no-resumption', '--only-problems', `good.test:${good.port}`, `soon.test:${expiring.port}`], { stdout, stderr, env: {} });
    expect(code).toBe(1);
    expect((JSON.parse(stdout.text()) as Report[]).map((r) => r.target.host)).toEqual(['soon.test']);
    expect(stderr.text()).toMatch(/certcheck: 2 reports in \d+\.\d s: 0 critical, 0 unknown, 1 warning, 1 ok; slowest (good|soon)\.test:\d+ \(\d+\.\d s\)\n$/);
  });

  it('says no closing line at a terminal for a single report: the table says it all', async () => {
    const stderr = Object.assign(sink(), { isTTY: true });
    expect(await main([...resolveArgs(), '--no-resumption', `good.test:${good.port}`], { stdout: sink(), stderr, env: {} })).toBe(0);
    expect(stderr.text()).toBe('');
  });

  it('colours as chalk users expect: FORCE_COLOR forces it, NO_COLOR and TERM=dumb turn it off, a pipe has none', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: 'false', TERM: 'xterm' })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '', NO_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: 'FALSE' })).toBe(false);
  });

  it('refuses a place it cannot store in before checking anything: one line, exit 64', async () => {
    const before = good.stats.connections;
    const { code, stdout, stderr } = await run([...resolveArgs(), '--out', join(__dirname, '..', 'package.json'), `good.test:${good.port}`, `soon.test:${expiring.port}`]);
    expect({ code, stdout }).toEqual({ code: 64, stdout: '' });
    expect(stderr).toMatch(/^certcheck: cannot store reports in .*package\.json: .*\n$/);
    expect(good.stats.connections).toBe(before);
  });

  it('says in one line that reports could not be stored during the run, and exits 74', async () => {
    const out = join(dir, 'half-writable');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'latest'), 'a file where the latest/ folder should be');
    const { code, stdout, stderr } = await run([...resolveArgs(), '--no-resumption', '--out', out, `good.test:${good.port}`, `soon.test:${expiring.port}`]);
    expect(code).toBe(EXIT_NOT_STORED);
    expect(stdout).toContain('good.test');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(expect.stringMatching(/^certcheck: 2 of 2 report\(s\) not stored in .*half-writable \(exit 74\); the first error: cannot write .*(ENOTDIR|EEXIST)/));
    expect(lines).toContainEqual(expect.stringMatching(/^certcheck: 2 of 2 previous report\(s\) not read \(CERT_CHANGED and alerts judged without them\); the first error: cannot read .*ENOTDIR/));
    // A report that was not stored is not in the target's history either.
    await expect(readdir(join(out, 'history'))).rejects.toThrow('ENOENT');
  });

  it('says in one line that the history rollups could not be kept, and exits by the status (the reports are stored)', async () => {
    const out = join(dir, 'no-history');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'history'), 'a file where the history/ folder should be');
    const { code, stdout, stderr } = await run([...resolveArgs(), '--no-resumption', '--out', out, `good.test:${good.port}`, `soon.test:${expiring.port}`]);
    expect(code).toBe(1);
    expect(stdout).toContain('soon.test');
    expect(stderr).toMatch(/^certcheck: 2 of 2 history rollup\(s\) not kept; the first error: .*\n$/);
    expect(await readdir(join(out, 'latest'))).toHaveLength(2);
  });

  describe('--json written as the run goes', () => {
    /** A good target reached through a proxy that holds its connection `ms` first: it finishes last. */
    async function slowGood(ms: number): Promise<{ target: string; resolve: string[]; close: () => Promise<void> }> {
      const proxy = await startDelayingProxy(good.port, { connect: () => ms });
      return { target: `good.test:${proxy.port}`, resolve: ['--resolve', `good.test:${proxy.port}:127.0.0.1`], close: () => proxy.close() };
    }

    /** A stdout that notes when each chunk came. */
    function timedSink() {
      const chunks: { at: number; text: string }[] = [];
      const stream = Object.assign(sink(), { chunks });
      const write = stream.write.bind(stream) as (chunk: string) => boolean;
      stream.write = ((chunk: string) => {
        chunks.push({ at: performance.now(), text: String(chunk) });
        return write(chunk);
      }) as typeof stream.write;
      return stream;
    }

    it('keeps the input order when a later target finishes first, byte for byte what JSON.stringify(reports, null, 2) prints', async () => {
      const slow = await slowGood(1500);
      try {
        const { code, stdout } = await run([...resolveArgs(), ...slow.resolve, '--json', '--no-resumption', slow.target, `soon.test:${expiring.port}`, `expired.test:${expired.port}`]);
        const reports = JSON.parse(stdout) as Report[];
        expect(reports.map((r) => `${r.target.host}:${r.target.port}`)).toEqual([slow.target, `soon.test:${expiring.port}`, `expired.test:${expired.port}`]);
        // The first target finished last: it waited for nothing, the others waited for it.
        expect(reports[0].durationMs).toBeGreaterThan(1000);
        expect(reports[1].durationMs).toBeLessThan(1000);
        expect(stdout).toBe(`${JSON.stringify(reports, null, 2)}\n`);
        expect(code).toBe(2);
      } finally {
        await slow.close();
      }
    });

    it('writes each report as soon as the ones before it are written, not at the end of the run', async () => {
      const slow = await slowGood(1500);
      try {
        const stdout = timedSink();
        const code = await main([...resolveArgs(), ...slow.resolve, '--json', '--no-resumption', `soon.test:${expiring.port}`, slow.target], { stdout, stderr: sink(), env: {} });
        const ended = performance.now();
        const first = stdout.chunks.find((c) => c.text.includes('soon.test'));
        expect(first).toBeDefined();
        expect(ended - (first?.at ?? ended)).toBeGreaterThan(1000);
        expect(stdout.text()).toBe(`${JSON.stringify(JSON.parse(stdout.text()), null, 2)}\n`);
        expect(code).toBe(1);
      } finally {
        await slow.close();
      }
    });

    it('prints [] when --only-problems leaves every report out, and exits by all of them', async () => {
      const none = await run([...resolveArgs(), '--json', '--no-resumption', '--only-problems', `good.test:${good.port}`]);
      expect(none).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
      const one = await run([...resolveArgs(), '--json', '--no-resumption', '--only-problems', `good.test:${good.port}`, `soon.test:${expiring.port}`, `good.test:${good.port}`]);
      expect(one.code).toBe(1);
      const reports = JSON.parse(one.stdout) as Report[];
      expect(reports.map((r) => r.target.host)).toEqual(['soon.test']);
      expect(one.stdout).toBe(`${JSON.stringify(reports, null, 2)}\n`);
    });

    it('still tallies reports that could not be stored: every report printed in order, one line said, exit 74', async () => {
      const out = join(dir, 'half-writable-json');
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'latest'), 'a file where the latest/ folder should be');
      const slow = await slowGood(800);
      try {
        const { code, stdout, stderr } = await run([...resolveArgs(), ...slow.resolve, '--json', '--no-resumption', '--out', out, slow.target, `soon.test:${expiring.port}`, `expired.test:${expired.port}`]);
        expect(code).toBe(EXIT_NOT_STORED);
        expect((JSON.parse(stdout) as Report[]).map((r) => r.target.host)).toEqual(['good.test', 'soon.test', 'expired.test']);
        expect(stderr).toMatch(/^certcheck: 3 of 3 report\(s\) not stored in .*half-writable-json \(exit 74\); the first error: /m);
      } finally {
        await slow.close();
      }
    });

    it('waits for a slow reader of stdout without losing or reordering a report', async () => {
      const chunks: string[] = [];
      // A pipe whose reader takes its time: full after one chunk, each taken 20 ms later.
      const stdout = new Writable({
        highWaterMark: 1,
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString());
          setTimeout(done, 20);
        },
      });
      const code = await main([...resolveArgs(), '--json', '--no-resumption', '--concurrency', '4', `good.test:${good.port}`, `soon.test:${expiring.port}`, `expired.test:${expired.port}`], { stdout, stderr: sink(), env: {} });
      await new Promise<void>((resolve) => (stdout.writableLength === 0 ? resolve() : stdout.once('drain', resolve)));
      const text = chunks.join('');
      expect((JSON.parse(text) as Report[]).map((r) => r.target.host)).toEqual(['good.test', 'soon.test', 'expired.test']);
      expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
      expect(code).toBe(2);
    });

    it('stores every report when stdout is closed early (| head) while the JSON is written, then exits 141', async () => {
      const file = join(dir, 'many-json.txt');
      const count = 200;
      await writeFile(file, Array.from({ length: count }, (_, i) => `127.0.0.1:${i + 1}`).join('\n'));
      const out = join(dir, 'stored-after-head');
      const child = spawn(process.execPath, [BIN, '--json', '--no-resumption', '--timeout', '200', '--concurrency', '32', '--out', out, '--targets-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
      expect(await readdir(join(out, 'latest'))).toHaveLength(count);
    });
  });

  it('checks no target at all when one of them is malformed', async () => {
    const before = good.stats.connections;
    const { code } = await run([...resolveArgs(), `good.test:${good.port}`, 'bad target']);
    expect(code).toBe(64);
    expect(good.stats.connections).toBe(before);
  });

  it('reads --targets-file, skipping comments and blank lines', async () => {
    const file = join(dir, 'targets.txt');
    await writeFile(file, `# fleet\n\ngood.test:${good.port}   # the web\nsoon.test:${expiring.port}\n`);
    const { code, stdout } = await run([...resolveArgs(), '--json', '--no-resumption', '--targets-file', file]);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Report[]).map((r) => r.target.host)).toEqual(['good.test', 'soon.test']);
  });

  it('names every bad line of a targets file by file:line, and checks nothing', async () => {
    const file = join(dir, 'bad-lines.txt');
    await writeFile(file, `good.test:${good.port}\n127.0.0.1:700000\n# fine\nexample.com:\n`);
    const before = good.stats.connections;
    const { code, stderr, stdout } = await run([...resolveArgs(), '--targets-file', file, 'also bad']);
    expect({ code, stdout }).toEqual({ code: 64, stdout: '' });
    expect(stderr).toBe(
      [
        'certcheck: invalid target "also bad": contains spaces',
        `certcheck: ${file}:2: invalid target "127.0.0.1:700000": port 700000 is outside 1-65535`,
        `certcheck: ${file}:4: invalid target "example.com:": no port after ":" (leave out the colon for 443)`,
        '',
      ].join('\n'),
    );
    expect(good.stats.connections).toBe(before);
  });

  it('checks a target listed twice once, and says so', async () => {
    const file = join(dir, 'twice.txt');
    await writeFile(file, `good.test:${good.port}\n`);
    const { code, stdout, stderr } = await run([...resolveArgs(), '--json', '--no-resumption', `good.test:${good.port}`, '--targets-file', file, `https://GOOD.test:${good.port}/x`]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report[]).map((r) => r.target.host)).toEqual(['good.test']);
    expect(stderr).toBe(
      `certcheck: https://GOOD.test:${good.port}/x (argument 2) is the same target as argument 1: checked once\n` +
        `certcheck: good.test:${good.port} (${file}:1) is the same target as argument 1: checked once\n`,
    );
  });

  it('stores reports in the contract layout with --out', async () => {
    const out = join(dir, 'out');
    await run([...resolveArgs(), '--no-resumption', '--out', out, `good.test:${good.port}`]);
    const key = `good.test_${good.port}`;
    const latest = JSON.parse(await readFile(join(out, 'latest', `${key}.json`), 'utf8')) as Report;
    expect(latest.target.host).toBe('good.test');
    const day = latest.checkedAt.slice(0, 10);
    // No colon in the file name: the time's ":" are written "-".
    expect(await readdir(join(out, 'reports', key, day))).toEqual([`${latest.checkedAt.replace(/:/g, '-')}.json`]);
  });

  it('stores reports in S3 with --out s3://bucket/prefix, at the S3_ENDPOINT given', async () => {
    const { code, stderr } = await run([...resolveArgs(), '--no-resumption', '--out', `s3://${s3Bucket}/cli/run-1/`, `good.test:${good.port}`], { S3_ENDPOINT: s3Endpoint });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const keys = await s3Keys('cli/run-1/');
    expect(keys).toHaveLength(3);
    expect(keys).toContain(`cli/run-1/latest/good.test_${good.port}.json`);
    expect(keys).toContain(`cli/run-1/history/good.test_${good.port}.json`);
    expect(keys.find((k) => k.startsWith(`cli/run-1/reports/good.test_${good.port}/`))).toMatch(/\/\d{4}-\d\d-\d\d\/[^/]+Z\.json$/);
  });

  it('refuses --out with a bad bucket name before checking', async () => {
    const { code, stderr } = await run(['--out', 's3://Not_A_Bucket/x', 'example.com']);

    expect(code).toBe(64);
    expect(stderr).toBe('certcheck: --out: "s3://Not_A_Bucket/x" does not name a valid S3 bucket\n');
  });

  it('checks every address of localhost with --all-addresses, storing one report per address', async () => {
    // localhost resolves from /etc/hosts, without any query leaving the machine.
    const { lookup } = await import('node:dns/promises');
    const addresses = [...new Set((await lookup('localhost', { all: true, verbatim: true })).map((a) => a.address))];
    const leaf = await pki.leaf({ cn: 'localhost' });
    const v4 = await startTlsServer({ chain: [leaf, pki.intermediate] });
    const extra = addresses.includes('::1') ? await startTlsServer({ chain: [leaf, pki.intermediate], host: '::1', port: v4.port }).catch(() => null) : null;
    try {
      const out = join(dir, 'all');
      const { stdout } = await run(['--ca-file', caFile, '--json', '--no-resumption', '--all-addresses', '--out', out, `localhost:${v4.port}`]);
      const reports = JSON.parse(stdout) as Report[];
      expect(reports.map((r) => r.target.address).sort()).toEqual([...addresses].sort());
      const served = reports.filter((r) => r.target.address === '127.0.0.1' || (extra && r.target.address === '::1'));
      expect(served.length).toBeGreaterThan(0);
      for (const r of served) expect(r.status).toBe('ok');
      const stored = (await readdir(join(out, 'latest'))).sort();
      expect(stored).toEqual(addresses.map((a) => `localhost_${v4.port}_${a.replace(/:/g, '-')}.json`).sort());
    } finally {
      await Promise.all([v4.close(), extra?.close()]);
    }
  });

  it('runs as the built bin, storing to S3', async () => {
    const env = { ...process.env, S3_ENDPOINT: s3Endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined };
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, '..', 'dist', 'handlers', 'cli.js'), ...resolveArgs(), '--json', '--no-resumption', '--out', `s3://${s3Bucket}/cli/bin`, `good.test:${good.port}`],
      { env },
    );
    expect((JSON.parse(stdout) as Report[])[0].status).toBe('ok');
    expect(await s3Keys('cli/bin/latest/')).toEqual([`cli/bin/latest/good.test_${good.port}.json`]);
    // The AWS SDK's six-line Node-version warning is not shown (on Node 20 the SDK would print it).
    expect(stderr).toBe('');
  });

  it('ends quietly when stdout is closed early (| head): no stack trace, the SIGPIPE exit code', async () => {
    const file = join(dir, 'many.txt');
    await writeFile(file, Array.from({ length: 400 }, (_, i) => `127.0.0.1:${i + 1}`).join('\n'));
    // A reader that is gone before the table comes, as head is once it has its lines.
    const child = spawn(process.execPath, [BIN, '--no-resumption', '--timeout', '200', '--concurrency', '64', '--targets-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });

  it('runs as the built bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', 'dist', 'handlers', 'cli.js'), ...resolveArgs(), '--json', '--no-resumption', `good.test:${good.port}`]);
    expect((JSON.parse(stdout) as Report[])[0].status).toBe('ok');
  });

  it('says once, with a count, an alert error that repeats for every target', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const out = join(dir, 'alerting-unreadable');
      const ports = [1, 2, 3];
      await mkdir(join(out, 'alerts', 'targets'), { recursive: true });
      for (const port of ports) await writeFile(join(out, 'alerts', 'targets', `127.0.0.1_${port}.json`), 'not json');

      const { stderr } = await run(['--out', out, '--alert', `webhook+${receiver.url('/repeats')}`, ...ports.map((port) => `127.0.0.1:${port}`)]);

      const lines = stderr.split('\n').filter((line) => line.includes('alert memory'));
      expect(lines).toEqual([expect.stringMatching(/^certcheck: alert memory not read, starting afresh: .* \(and 2 more like it\)$/)]);
      expect(stderr).toContain('alert sent to webhook');
    } finally {
      await receiver.close();
    }
  });

  it('posts alerts with --alert, deciding against what --out holds: once, then nothing for the same result', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const out = join(dir, 'alerting');
      const args = [...resolveArgs(), '--no-resumption', '--out', out, '--alert', `webhook+${receiver.url('/cli')}`, `soon.test:${expiring.port}`];

      const first = await run(args);
      const second = await run(args);

      expect(first.code).toBe(1);
      expect(first.stderr).toBe(`certcheck: alert sent to webhook ${receiver.url('/')}…\n`);
      expect(second.stderr).toBe('');
      expect(receiver.postsTo('/cli')).toHaveLength(1);
      expect(receiver.postsTo('/cli')[0].body).toMatchObject({ alerts: [{ target: `soon.test:${expiring.port} (127.0.0.1)`, status: 'warning', reasons: [{ kind: 'first-check', from: null }, { kind: 'threshold', days: 14 }] }] });
      expect(await readdir(join(out, 'alerts', 'targets'))).toEqual([expect.stringMatching(/^soon\.test_\d+(_127\.0\.0\.1)?\.json$/)]);
    } finally {
      await receiver.close();
    }
  });

  it.each([
    [['--alert', 'webhook+http://127.0.0.1:9/h', 'example.com'], 'certcheck: --alert needs --out <dir | s3://bucket/prefix>: the reports and alert history stored there decide what is new\n'],
    [['--out', '/tmp/x', '--alert', 'https://alerts.example.test/token', 'example.com'], 'certcheck: cannot tell which chat service alert webhook 1 of 1 (https://alerts.example.test/…) is: write it as webhook+https://… (or slack+, teams+, discord+, googlechat+)\n'],
  ])('refuses %j before checking', async (args, message) => {
    const { code, stderr } = await run(args);

    expect(code).toBe(64);
    expect(stderr).toBe(message);
  });

  it('refuses a bad ALERT_THRESHOLDS with --alert', async () => {
    const { code, stderr } = await run(['--out', '/tmp/x', '--alert', 'webhook+http://127.0.0.1:9/h', 'example.com'], { ALERT_THRESHOLDS: '30,soon' });

    expect(code).toBe(64);
    expect(stderr).toBe('certcheck: ALERT_THRESHOLDS must be whole days of at least 1, separated by commas, not "30,soon"\n');
  });
});
