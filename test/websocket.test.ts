/**
 * The WebSocket upgrade of wss:// targets, end to end: a real WebSocket server (`ws`) behind
 * HTTPS on loopback, and the same HTTPS server answering the upgrade wrongly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import { expectedAccept, upgradeProblem } from '../lib/checks/websocket';
import type { Report } from '../lib/report';
import { parseTarget } from '../lib/target';
import { closeFrame, hostHeader, MAX_UPGRADE_HEAD_BYTES, parseHead, type UpgradeObservation } from '../lib/tls/websocket-upgrade';
import { TrustStore } from '../lib/x509/trust-store';
import { codes } from './fixtures/check-local';
import { runCli } from './fixtures/cli-run';
import { hierarchy, type Hierarchy, type Issued } from './fixtures/pki';
import { startTlsServer } from './fixtures/tls-server';
import { startWebSocketServer, type RunningWebSocketServer, type WebSocketServerMode } from './fixtures/websocket-server';

let pki: Hierarchy;
let leaf: Issued;
let caFile: string;
const servers: RunningWebSocketServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Chat');
  leaf = await pki.leaf({ cn: 'chat.test' });
  caFile = join(mkdtempSync(join(tmpdir(), 'certcheck-ws-')), 'ca.pem');
  writeFileSync(caFile, pki.root.pem);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(mode: WebSocketServerMode): Promise<RunningWebSocketServer> {
  const server = await startWebSocketServer({ chain: [leaf, pki.intermediate], mode });
  servers.push(server);
  return server;
}

/** Checks `<url>` (its port replaced by the server's) on 127.0.0.1, trusting the test root. */
async function check(url: string, port: number, opts: { upgrade?: boolean; timeoutMs?: number } = {}): Promise<Report> {
  const target = parseTarget(url.replace('PORT', String(port)));
  const reports = await checkTarget(target, {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: opts.timeoutMs ?? 3000,
    upgrade: opts.upgrade ?? true,
    resumption: false,
    revocation: false,
    resolve: new Map([[`chat.test:${port}`, '127.0.0.1']]),
    trustStore: new TrustStore([pki.root.cert], 'the test CA file'),
  });
  return reports[0];
}

/** The server's close codes, once the first has come (the close completes after the check returns). */
async function closeCodes(server: RunningWebSocketServer): Promise<number[]> {
  for (let waited = 0; server.closeCodes.length === 0 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  return server.closeCodes;
}

function upgradeFinding(report: Report): string {
  const found = report.findings.filter((f) => f.code === 'WEBSOCKET_UPGRADE_FAILED');
  expect(found).toHaveLength(1);
  expect(found[0].severity).toBe('critical');
  expect(report.status).toBe('critical');
  return found[0].message;
}

describe('a wss:// target', () => {
  it('is upgraded by a real WebSocket server: status 101 in the report, no finding, and the server sees a close frame 1000', async () => {
    const server = await serve('websocket');

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(report.findings).toEqual([]);
    expect(report.websocket).toEqual({ status: 101, ms: expect.any(Number) });
    expect(await closeCodes(server)).toEqual([1000]);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ url: '/socket', alpn: 'http/1.1', servername: 'chat.test' });
    expect(request.headers).toMatchObject({ host: `chat.test:${server.port}`, upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13' });
    expect(Buffer.from(request.headers['sec-websocket-key'] ?? '', 'base64')).toHaveLength(16);
  });

  it('sends its path and query: a path the server does not serve is answered 404, a finding that quotes it', async () => {
    const server = await serve('websocket');

    const report = await check('wss://chat.test:PORT/elsewhere?room=1', server.port);

    expect(server.requests.map((r) => r.url)).toEqual(['/elsewhere?room=1']);
    expect(upgradeFinding(report)).toBe('the WebSocket upgrade of /elsewhere?room=1 failed: the server answered "HTTP/1.1 404 Not Found", not 101 Switching Protocols');
    expect(report.websocket).toEqual({ status: 404, ms: expect.any(Number) });
    // The certificate was still checked on the check's own connection.
    expect(report.chain?.trusted).toBe(true);
  });

  it('is not upgraded by a plain HTTPS server answering 200 on the same port: WEBSOCKET_UPGRADE_FAILED with the status line', async () => {
    const server = await serve('plain');

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(upgradeFinding(report)).toMatch(/answered "HTTP\/1\.1 200 OK", not 101/);
    expect(report.websocket).toMatchObject({ status: 200 });
    expect(codes(report)).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
  });

  it('refuses a 101 with a wrong Sec-WebSocket-Accept', async () => {
    const server = await serve('wrong-accept');

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(upgradeFinding(report)).toMatch(/Sec-WebSocket-Accept is "dGhlIHNhbXBsZSBub25jZQ==", not "[A-Za-z0-9+/]{27}="/);
    expect(report.websocket).toMatchObject({ status: 101 });
  });

  it('waits for a server that ignores the close frame no longer than the timeout', async () => {
    const server = await serve('wrong-accept');

    const report = await check('wss://chat.test:PORT/socket', server.port, { timeoutMs: 300 });

    expect(codes(report)).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
    expect(report.durationMs).toBeLessThan(480);
  });

  it('holds its deadline against a server that never answers: a finding, not a hang', async () => {
    const server = await serve('silent');

    const report = await check('wss://chat.test:PORT/socket', server.port, { timeoutMs: 800 });

    expect(upgradeFinding(report)).toBe('the WebSocket upgrade of /socket failed: no complete answer within 800 ms');
    expect(report.websocket).toEqual({ status: null, ms: expect.any(Number) });
    expect(report.durationMs).toBeLessThan(1500);
  });

  it('reads at most 16 KB of an answer whose head does not end (1 MB of headers)', async () => {
    const server = await serve('huge-head');

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(upgradeFinding(report)).toBe(
      `the WebSocket upgrade of /socket failed: the answer's head is larger than ${MAX_UPGRADE_HEAD_BYTES} bytes; it began "HTTP/1.1 101 Switching Protocols"`,
    );
    expect(report.websocket).toMatchObject({ status: 101 });
  });

  it('reports a server that closes the connection after the handshake, before any answer', async () => {
    const server = await startTlsServer({ chain: [leaf, pki.intermediate], resetAfterHandshake: true });
    servers.push({ ...server, requests: [], closeCodes: [] });

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(upgradeFinding(report)).toMatch(/^the WebSocket upgrade of \/socket failed: (the server closed the connection without an answer|the connection failed: .*ECONNRESET.*)$/);
    expect(report.websocket).toMatchObject({ status: null });
  });

  it('makes no upgrade attempt and adds no finding when the TLS handshake itself fails', async () => {
    const server = await serve('websocket');
    await server.close();

    const report = await check('wss://chat.test:PORT/socket', server.port);

    expect(codes(report)).toEqual(['CONNECTION_FAILED']);
    expect(report.websocket).toBeNull();
  });

  it('is skipped with upgrade off: no request, no finding, websocket { skipped: true }', async () => {
    const server = await serve('plain');

    const report = await check('wss://chat.test:PORT/socket', server.port, { upgrade: false });

    expect(report.findings).toEqual([]);
    expect(report.websocket).toEqual({ skipped: true });
    expect(server.requests).toEqual([]);
  });
});

describe('an https:// target on the same server', () => {
  it('makes no upgrade request and has no websocket in its report', async () => {
    const server = await serve('plain');

    const report = await check('https://chat.test:PORT/socket', server.port);

    expect(report.findings).toEqual([]);
    expect(report).not.toHaveProperty('websocket');
    expect(server.requests).toEqual([]);
  });
});

describe('the CLI', () => {
  const args = (port: number) => ['--json', '--no-resumption', '--no-revocation', '--ca-file', caFile, '--resolve', `chat.test:${port}:127.0.0.1`, `wss://chat.test:${port}/socket`];

  it('upgrades a wss:// target by default', async () => {
    const server = await serve('plain');

    const { code, stdout } = await runCli(args(server.port));

    expect(code).toBe(2);
    expect((JSON.parse(stdout) as Report[])[0].findings.map((f) => f.code)).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
    expect(server.requests).toHaveLength(1);
  });

  it('skips the upgrade with --no-upgrade', async () => {
    const server = await serve('plain');

    const { code, stdout } = await runCli(['--no-upgrade', ...args(server.port)]);

    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report[])[0].websocket).toEqual({ skipped: true });
    expect(server.requests).toEqual([]);
  });
});

describe('the verdict on an answer', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  /** The observation of an answer's head, as the probe parses it. */
  const answer = (...lines: string[]): UpgradeObservation => ({ path: '/socket', key, error: null, ms: 1, ...parseHead(Buffer.from(lines.join('\r\n'), 'latin1')) });
  const good = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo='];

  it('accepts 101 with Upgrade, Connection and the accept key, whatever the case and order of the headers', () => {
    expect(upgradeProblem(answer(...good))).toBeNull();
    expect(upgradeProblem(answer(good[0], 'sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'CONNECTION: keep-alive, upgrade', 'upgrade: WebSocket'))).toBeNull();
  });

  it.each([
    [[good[0], good[2], good[3]], 'the 101 answer has no Upgrade header, not "Upgrade: websocket"'],
    [[good[0], 'Upgrade: h2c', good[2], good[3]], 'the 101 answer has Upgrade: "h2c", not "Upgrade: websocket"'],
    [[good[0], good[1], good[3]], 'the 101 answer has no Connection header, not "Connection: Upgrade"'],
    [[good[0], good[1], 'Connection: keep-alive', good[3]], 'the 101 answer has Connection: "keep-alive", not "Connection: Upgrade"'],
    [[good[0], good[1], good[2]], 'the 101 answer has no Sec-WebSocket-Accept'],
    [['HTTP/1.1 301 Moved Permanently', 'Location: https://elsewhere/'], 'the server answered "HTTP/1.1 301 Moved Permanently", not 101 Switching Protocols'],
  ])('refuses %j', (lines, problem) => {
    expect(upgradeProblem(answer(...lines))).toBe(problem);
  });

  it('strips control characters from the status line and cuts it', () => {
    const observed = answer(`HTTP/1.1 500 \u0007Oops${'!'.repeat(1000)}`);

    expect(observed.status).toBe(500);
    expect(observed.statusLine).not.toContain('\u0007');
    expect(observed.statusLine?.length).toBeLessThan(400);
  });

  it('reads no status from an answer that is not HTTP', () => {
    expect(answer('SSH-2.0-OpenSSH_9.6').status).toBeNull();
  });
});

describe('the handshake bytes', () => {
  it('computes the accept key of RFC 6455 section 1.3', () => {
    expect(expectedAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('masks a close frame with code 1000', () => {
    const frame = closeFrame(1000);

    expect([...frame.subarray(0, 2)]).toEqual([0x88, 0x82]);
    const mask = frame.subarray(2, 6);
    expect([frame[6] ^ mask[0], frame[7] ^ mask[1]]).toEqual([0x03, 0xe8]);
  });

  it('writes the Host header with the port unless it is 443, IPv6 in brackets', () => {
    expect(hostHeader('chat.example.com', 443)).toBe('chat.example.com');
    expect(hostHeader('chat.example.com', 8443)).toBe('chat.example.com:8443');
    expect(hostHeader('2001:db8::1', 443)).toBe('[2001:db8::1]');
    expect(hostHeader('2001:db8::1', 9443)).toBe('[2001:db8::1]:9443');
  });
});
