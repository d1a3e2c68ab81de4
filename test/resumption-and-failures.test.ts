/**
 * Session-resumption verdicts against real local servers, and the findings for targets that
 * give no certificate: refused, timed out, not speaking TLS, not resolving.
 */
import { checkCertificates, checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import { runChecks } from '../lib/run';
import { parseTarget, type Target } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { checkLocal, codes } from './fixtures/check-local';
import { DAY, hierarchy, type Hierarchy, type Issued } from './fixtures/pki';
import { startOpensslServer } from './fixtures/openssl-server';
import { closedPort, startDelayingProxy, startRawServer, startTlsServer, type RunningServer, type TlsServerOptions } from './fixtures/tls-server';

let pki: Hierarchy;
let leaf: Issued;
const servers: RunningServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Resume');
  leaf = await pki.leaf({ cn: 'good.test' });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<TlsServerOptions> = {}): Promise<RunningServer> {
  const server = await startTlsServer({ chain: [leaf, pki.intermediate], ...opts });
  servers.push(server);
  return server;
}

/** A trust store that fails the way a bug would: every issuer look-up throws. */
function brokenStore(): TrustStore {
  class BrokenStore extends TrustStore {
    override withSubject(): never {
      throw new Error('the store broke');
    }
  }
  return new BrokenStore([pki.root.cert], 'a broken store');
}

async function check(server: RunningServer) {
  return checkLocal('good.test', server.port, { roots: [pki.root] });
}

describe('session resumption', () => {
  it('finds every mechanism supported on a server with a session cache and tickets', async () => {
    const server = await serve();
    const report = await check(server);
    expect(report.resumption).toMatchObject({
      sessionId: 'supported',
      ticket: 'supported',
      tls13: 'supported',
      attempts: { sessionId: [3, 3], ticket: [3, 3], tls13: [3, 3] },
    });
    expect(report.findings).toEqual([]);
    // The server itself saw the abbreviated handshakes: 9 resumptions (the last may still be
    // in flight on the server's side when the client is done).
    for (let i = 0; i < 50 && server.stats.resumed < 9; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.stats.resumed).toBe(9);
  });

  it('reports NO_RESUMPTION for a server with neither a session cache nor tickets', async () => {
    const report = await check(await serve({ sessionCache: false, tickets: false }));
    expect(report.resumption).toMatchObject({ sessionId: 'unsupported', ticket: 'unsupported', tls13: 'unsupported' });
    expect(codes(report)).toEqual(['NO_RESUMPTION']);
    expect(report.status).toBe('warning');
  });

  it('tells session IDs from tickets', async () => {
    const noCache = await check(await serve({ sessionCache: false, maxVersion: 'TLSv1.2' }));
    expect(noCache.resumption).toMatchObject({ sessionId: 'unsupported', ticket: 'supported', tls13: 'not-applicable' });
    expect(codes(noCache)).toEqual([]);

    const noTickets = await check(await serve({ tickets: false, maxVersion: 'TLSv1.2' }));
    expect(noTickets.resumption).toMatchObject({ sessionId: 'supported', ticket: 'unsupported', tls13: 'not-applicable' });
  });

  it('tells session IDs from tickets on a server that also speaks TLS 1.3', async () => {
    const noCache = await serve({ sessionCache: false });
    const report = await check(noCache);
    expect(report.resumption).toMatchObject({ sessionId: 'unsupported', ticket: 'supported', tls13: 'supported' });
    // The ticket probe starts from a session-ID attempt, not a handshake of its own: full ones
    // are the first, the session-ID start and its 3 unresumed attempts.
    for (let i = 0; i < 50 && noCache.stats.handshakes < 11; i++) await new Promise((r) => setTimeout(r, 20));
    expect(noCache.stats.handshakes - noCache.stats.resumed).toBe(5);

    const noTickets = await check(await serve({ tickets: false }));
    expect(noTickets.resumption).toMatchObject({ sessionId: 'supported', ticket: 'unsupported', tls13: 'unsupported' });
  });

  it('marks the TLS 1.2 mechanisms not-applicable on a TLS 1.3-only server', async () => {
    const report = await check(await serve({ minVersion: 'TLSv1.3' }));
    expect(report.resumption).toMatchObject({ sessionId: 'not-applicable', ticket: 'not-applicable', tls13: 'supported' });
    expect(report.tls?.protocol).toBe('TLSv1.3');
  });

  it('agrees with openssl s_server on stateful tickets (-no_ticket, as nginx with ssl_session_tickets off)', async () => {
    // No RFC 5077 tickets for TLS 1.2; TLS 1.3 tickets kept in the server's session cache, and
    // a new one sent after each resumption (which Node's own server does not do).
    const server = await startOpensslServer([leaf, pki.intermediate], ['-no_ticket']);
    try {
      const report = await checkLocal('good.test', server.port, { roots: [pki.root] });
      expect(report.resumption).toMatchObject({
        sessionId: 'supported',
        ticket: 'unsupported',
        tls13: 'supported',
        attempts: { sessionId: [3, 3], tls13: [3, 3] },
      });
      expect(report.chain?.trusted).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('reports partial when only some resumptions succeed', async () => {
    const report = await check(await serve({ sessionCacheHits: (n) => n % 2 === 1, maxVersion: 'TLSv1.2' }));
    expect(report.resumption.sessionId).toBe('partial');
    const [tried, resumed] = report.resumption.attempts.sessionId;
    expect(tried).toBe(3);
    expect(resumed).toBeGreaterThan(0);
    expect(resumed).toBeLessThan(3);
  });

  it('reports an error, not unsupported, when the probe connections fail', async () => {
    // Two: the check's own handshake and the TLS 1.0/1.1 probe beside it; every later one is cut off.
    const report = await check(await serve({ minVersion: 'TLSv1.3', acceptConnections: 2 }));
    expect(report.resumption.tls13).toBe('error');
    expect(report.resumption.errors?.tls13).toMatch(/attempt 1/);
    expect(codes(report)).toEqual([]);
  });

  it('keeps the certificate findings when the probes miss their budget on a slow server', async () => {
    const server = await serve();
    // Every connection after the first reaches the server 700 ms late (the timeout is 1000 ms):
    // each probe handshake succeeds, but the TLS 1.2 probes (a start, then an attempt, one
    // after the other) take 1.4 s of a 1 s budget (one attempt each).
    const slow = await startDelayingProxy(server.port, { connect: (n) => (n === 1 ? 0 : 700) });
    servers.push(slow);
    const report = await checkLocal('good.test', slow.port, { roots: [pki.root], timeoutMs: 1000, resumptionAttempts: 1 });
    expect(report.leaf?.subject).toBe('CN=good.test');
    expect(report.status).toBe('ok');
    expect(report.resumption.sessionId).toBe('error');
    expect(report.resumption.errors?.sessionId).toBe('the probes did not finish within 1000 ms');
  });

  it('keeps the chain and the certificate findings when the server resets the connection right after the handshake', async () => {
    const expiring = await pki.leaf({ cn: 'good.test', notAfter: new Date(Date.now() + 20 * DAY) });
    // No tickets: the reset comes while the first connection still waits for one.
    const server = await serve({ chain: [expiring, pki.intermediate], resetAfterHandshake: true, tickets: false, sessionCache: false });

    const report = await check(server);

    expect(codes(report)).toEqual(['EXPIRES_SOON']);
    expect(report.tls?.protocol).toBe('TLSv1.3');
    expect(report.leaf?.subject).toBe('CN=good.test');
    expect(report.chain).toMatchObject({ trusted: true, presented: [{ subject: 'CN=good.test' }, { subject: 'CN=Resume Intermediate CA' }] });
    // Whether the server would have sent a ticket is not known: an error, not "unsupported".
    expect(report.resumption.tls13).toBe('error');
    expect(report.resumption.errors?.tls13).toMatch(/^the connection failed after the handshake: .*ECONNRESET/);
  });

  it('resumes with a session over 10 KB, which Node does not announce', async () => {
    const names = Array.from({ length: 420 }, (_, i) => `host-${i}-with-a-rather-long-label.good.test`);
    const big = await pki.leaf({ cn: 'good.test', sans: ['good.test', ...names] });
    expect(big.cert.raw.length).toBeGreaterThan(10 * 1024);
    const server = await startTlsServer({ chain: [big, pki.intermediate] });
    servers.push(server);
    const report = await check(server);
    expect(report.resumption).toMatchObject({ sessionId: 'supported', ticket: 'supported', tls13: 'supported' });
  });

  it('reads the ticket lifetime hint and reports LONG_TICKET_LIFETIME over a day', async () => {
    const short = await check(await serve({ sessionTimeout: 3600 }));
    expect(short.resumption.ticketLifetimeHintSeconds).toBe(3600);
    expect(codes(short)).toEqual([]);

    const long = await check(await serve({ sessionTimeout: 100_000 }));
    expect(long.resumption.ticketLifetimeHintSeconds).toBe(100_000);
    expect(long.findings).toEqual([expect.objectContaining({ code: 'LONG_TICKET_LIFETIME', severity: 'info' })]);
    expect(long.status).toBe('ok');
  });
});

describe('targets that give no certificate', () => {
  it('reports CONNECTION_FAILED for a refused connection', async () => {
    const report = await checkLocal('good.test', await closedPort(), { roots: [pki.root] });
    expect(codes(report)).toEqual(['CONNECTION_FAILED']);
    expect(report.status).toBe('unknown');
    expect(report.findings[0].message).toContain('ECONNREFUSED');
    expect(report.resumption.sessionId).toBe('skipped');
  });

  it('reports HANDSHAKE_FAILED for a port that does not speak TLS', async () => {
    const server = await startRawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    servers.push(server);
    const report = await checkLocal('good.test', server.port, { roots: [pki.root] });
    expect(codes(report)).toEqual(['HANDSHAKE_FAILED']);
    expect(report.status).toBe('critical');
  });

  it('reports HANDSHAKE_FAILED for a server that offers only anonymous ciphers (no certificate)', async () => {
    const { createServer } = await import('node:tls');
    const anonymous = createServer({ ciphers: 'ADH-AES128-SHA:@SECLEVEL=0', maxVersion: 'TLSv1.2' });
    anonymous.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => anonymous.listen(0, '127.0.0.1', resolve));
    const port = (anonymous.address() as { port: number }).port;
    try {
      const report = await checkLocal('good.test', port, { roots: [pki.root] });
      expect(codes(report)).toEqual(['HANDSHAKE_FAILED']);
      expect(report.leaf).toBeNull();
    } finally {
      anonymous.close();
    }
  });

  it('reports TIMEOUT for a server that never answers', async () => {
    const server = await startRawServer(() => undefined);
    servers.push(server);
    const started = Date.now();
    const report = await checkLocal('good.test', server.port, { roots: [pki.root], timeoutMs: 300 });
    expect(codes(report)).toEqual(['TIMEOUT']);
    expect(report.findings[0].message).toBe('no TLS handshake within 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports DNS_FAILED for a name that does not resolve', async () => {
    // Name resolution is injected: a real lookup would leave this machine.
    const lookup = async (host: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const report = await checkLocal('nowhere.test', 443, { roots: [pki.root], resolve: new Map(), lookup });
    expect(codes(report)).toEqual(['DNS_FAILED']);
    expect(report.findings[0].message).toBe('nowhere.test does not resolve (ENOTFOUND)');
    expect(report.target.address).toBeNull();
  });

  it('turns an internal error into a CHECK_FAILED report, and the other targets go on', async () => {
    const server = await serve();
    const told: unknown[] = [];
    const reports = await runChecks([parseTarget(`127.0.0.1:${server.port}`), parseTarget(`127.0.0.1:${await closedPort()}`)], {
      ...DEFAULT_CHECK_OPTIONS,
      concurrency: 2,
      resumption: false,
      trustStore: brokenStore(),
      onInternalError: (err) => told.push(err),
    });
    expect(reports.map(codes)).toEqual([['CHECK_FAILED'], ['CONNECTION_FAILED']]);
    expect(reports[0].findings[0].message).toBe('the check failed: the store broke');
    expect(reports[0].status).toBe('unknown');
    expect(told).toHaveLength(1);
  });

  it('hands the internal error, stack and all, to onInternalError and keeps the stack out of the report', async () => {
    const server = await serve();
    const told: { err: unknown; target: Target }[] = [];
    const [report] = await checkTarget(parseTarget(`127.0.0.1:${server.port}`), {
      ...DEFAULT_CHECK_OPTIONS,
      resumption: false,
      trustStore: brokenStore(),
      onInternalError: (err, target) => told.push({ err, target }),
    });

    expect(codes(report)).toEqual(['CHECK_FAILED']);
    expect(told).toHaveLength(1);
    expect(told[0].target).toMatchObject({ host: '127.0.0.1', port: server.port });
    const stack = (told[0].err as Error).stack ?? '';
    expect(stack).toMatch(/the store broke\n\s+at .*withSubject/);
    const text = JSON.stringify(report);
    expect(text).not.toContain('withSubject');
    expect(text).not.toContain(__filename);
  });

  it('writes the stack as one line on stderr when no onInternalError is given', async () => {
    const server = await serve();
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const [report] = await checkTarget(parseTarget(`127.0.0.1:${server.port}`), { ...DEFAULT_CHECK_OPTIONS, resumption: false, trustStore: brokenStore() });
      expect(codes(report)).toEqual(['CHECK_FAILED']);
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^certcheck: internal error checking 127\\.0\\.0\\.1:${server.port}: Error: the store broke \\| at .*withSubject .*\\n$`));
    expect(written[0].split('\n')).toHaveLength(2);
  });

  it('keeps the CHECK_FAILED report when onInternalError itself throws', async () => {
    const server = await serve();
    const [report] = await checkTarget(parseTarget(`127.0.0.1:${server.port}`), {
      ...DEFAULT_CHECK_OPTIONS,
      resumption: false,
      trustStore: brokenStore(),
      onInternalError: () => {
        throw new Error('the log is gone');
      },
    });
    expect(codes(report)).toEqual(['CHECK_FAILED']);
  });

  it('turns an internal error while checking certificates without connecting into a CHECK_FAILED report too', async () => {
    const told: unknown[] = [];
    const report = await checkCertificates(parseTarget('good.test'), [leaf.cert, pki.intermediate.cert], {
      ...DEFAULT_CHECK_OPTIONS,
      revocation: false,
      trustStore: brokenStore(),
      onInternalError: (err) => told.push(err),
    });
    expect(codes(report)).toEqual(['CHECK_FAILED']);
    expect(report.findings[0].message).toBe('the check failed: the store broke');
    expect((told[0] as Error).stack).toContain('withSubject');
  });

  it('checks every address with allAddresses, one report each', async () => {
    const server = await serve();
    const lookup = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ];
    const reports = await checkTarget(parseTarget(`good.test:${server.port}`), {
      ...DEFAULT_CHECK_OPTIONS,
      resumption: false,
      allAddresses: true,
      lookup,
      timeoutMs: 2000,
      trustStore: new TrustStore([pki.root.cert], 'the test roots'),
    });
    expect(reports.map((r) => r.target.address)).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(reports[0].status).toBe('ok');
    // Nothing listens on 127.0.0.2 at that port (the server is bound to 127.0.0.1 only).
    expect(codes(reports[1])).toEqual(['CONNECTION_FAILED']);
  });
});
