/**
 * Protocol versions and weak ciphers on real servers: `openssl s_server` limited to TLS 1.0 or
 * 1.1, Node's TLS server with and without the old versions, a STARTTLS server, and a proxy that
 * never answers the legacy probe; LEGACY_PROTOCOL, WEAK_CIPHER and the report's `tls.versions`.
 */
import { checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import { cipherWeakness } from '../lib/checks/weak-cipher';
import { parseTarget } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { checkLocal, codes } from './fixtures/check-local';
import { startGnutlsServer } from './fixtures/gnutls-server';
import { startOpensslServer, type OpensslServer } from './fixtures/openssl-server';
import { hierarchy, type Hierarchy, type Issued } from './fixtures/pki';
import { startStarttlsServer } from './fixtures/starttls-server';
import { startRawServer, startTlsServer, startVersionGate, type RunningServer, type TlsServerOptions } from './fixtures/tls-server';
import { probeLegacyVersions } from '../lib/tls/version-probe';
import { probeWeakSuites } from '../lib/tls/weak-suites';
import { openTcp } from '../lib/tls/raw-hello';

let pki: Hierarchy;
let leaf: Issued;
/** For the RSA key exchange of AES128-SHA, which TLS 1.0 servers speak. */
let rsaLeaf: Issued;
const servers: (RunningServer | OpensslServer)[] = [];

beforeAll(async () => {
  pki = await hierarchy('Versions');
  leaf = await pki.leaf({ cn: 'old.test' });
  rsaLeaf = await pki.leaf({ cn: 'old.test', key: { type: 'rsa', bits: 2048 } });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function openssl(args: string[]): Promise<number> {
  const server = await startOpensslServer([rsaLeaf, pki.intermediate], args);
  servers.push(server);
  return server.port;
}

async function node(opts: Partial<TlsServerOptions> = {}): Promise<RunningServer> {
  const server = await startTlsServer({ chain: [leaf, pki.intermediate], ...opts });
  servers.push(server);
  return server;
}

const check = (port: number, resumption = false, timeoutMs = 3000) => checkLocal('old.test', port, { roots: [pki.root], resumption, timeoutMs });

describe('legacy protocol versions', () => {
  it('reports LEGACY_PROTOCOL for a TLS 1.0-only server, and says which versions it speaks', async () => {
    const report = await check(await openssl(['-tls1', '-cipher', 'AES128-SHA@SECLEVEL=0']));
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(report.findings[0].message).toBe('the server accepts TLSv1, deprecated by RFC 8996');
    expect(report.tls).toMatchObject({ protocol: 'TLSv1', versions: { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false } });
    expect(report.leaf?.subject).toBe('CN=old.test');
  });

  it('reports LEGACY_PROTOCOL for a TLS 1.1-only server', async () => {
    const report = await check(await openssl(['-tls1_1', '-cipher', 'AES128-SHA@SECLEVEL=0']));
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(report.findings[0].message).toBe('the server accepts TLSv1.1, deprecated by RFC 8996');
    // Choosing TLS 1.1 says nothing about TLS 1.0: no handshake offered TLS 1.0 alone.
    expect(report.tls?.versions).toEqual({ TLSv1: null, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
  });

  it('finds TLS 1.1 on a server whose first handshake is TLS 1.3 (the probe offers 1.1 at most)', async () => {
    const server = await node({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    const report = await check(server.port, true);
    expect(report.tls?.protocol).toBe('TLSv1.3');
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(report.findings[0].message).toBe('the server accepts TLSv1.1, deprecated by RFC 8996');
    // TLS 1.2 from the session-ID probe's handshake.
    expect(report.tls?.versions).toEqual({ TLSv1: null, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true });
  });

  it('gives no finding for a server that refuses TLS 1.0 and 1.1, and says so', async () => {
    const report = await check((await node()).port, true);
    expect(codes(report)).toEqual([]);
    expect(report.tls?.versions).toEqual({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    expect(report.tls?.versionProbeError).toBeUndefined();
  });

  it('knows TLS 1.2 only from the resumption probes: null without them', async () => {
    const report = await check((await node()).port, false);
    expect(report.tls?.versions).toEqual({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': null, 'TLSv1.3': true });
  });

  it('says TLS 1.2 is refused by a TLS 1.3-only server', async () => {
    const report = await check((await node({ minVersion: 'TLSv1.3' })).port, true);
    expect(codes(report)).toEqual([]);
    expect(report.tls?.versions).toEqual({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
  });

  it('runs the probe beside the first handshake, not after it', async () => {
    const backend = await node({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    // The first handshake is held until the probe's ClientHello has come: in turn, it would time out.
    const gate = await startVersionGate(backend.port, { legacy: 'forward', holdModernUntilLegacy: true });
    servers.push(gate);
    const report = await check(gate.port, false, 1500);
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(gate.legacyHellos).toBe(1);
  });

  it('reports what it can when the probe gets no answer: not unknown, and the probe could not tell', async () => {
    const backend = await node();
    const gate = await startVersionGate(backend.port, { legacy: 'hang' });
    servers.push(gate);
    const started = Date.now();
    const report = await check(gate.port, false, 800);
    expect(report.status).toBe('ok');
    expect(codes(report)).toEqual([]);
    expect(report.leaf?.subject).toBe('CN=old.test');
    expect(report.tls?.versions).toEqual({ TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': true });
    expect(report.tls?.versionProbeError).toBe('the TLS 1.0/1.1 probe could not tell: no answer within 800 ms');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('sends the probe of a STARTTLS target through its preamble', async () => {
    const server = await startStarttlsServer({ chain: [leaf, pki.intermediate], dialogue: 'smtp', minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    servers.push(server);
    const [report] = await checkTarget(parseTarget(`smtp://old.test:${server.port}`), {
      ...DEFAULT_CHECK_OPTIONS,
      timeoutMs: 3000,
      resumption: false,
      resolve: new Map([[`old.test:${server.port}`, '127.0.0.1']]),
      trustStore: new TrustStore([pki.root.cert], 'the test CA file'),
    });
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(report.tls?.versions?.['TLSv1.1']).toBe(true);
    // Two connections (the check's and the probe's), each through EHLO and STARTTLS.
    expect(server.heard).toHaveLength(2);
    for (const lines of server.heard) expect(lines).toEqual([expect.stringMatching(/^EHLO /), 'STARTTLS']);
  });
});

describe('weak ciphers', () => {
  it('reports WEAK_CIPHER for a server that offers only a NULL suite (offered last), and still checks its certificate', async () => {
    const report = await check(await openssl(['-tls1_2', '-cipher', 'NULL-SHA256@SECLEVEL=0']), true);
    expect(report.tls).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_RSA_WITH_NULL_SHA256' });
    expect(codes(report)).toEqual(['WEAK_CIPHER']);
    expect(report.findings[0]).toEqual({ code: 'WEAK_CIPHER', severity: 'critical', message: 'the server negotiated TLS_RSA_WITH_NULL_SHA256 (NULL: no encryption)' });
    expect(report.chain?.trusted).toBe(true);
    expect(report.leaf?.subject).toBe('CN=old.test');
  });

  it('does not offer a NULL suite before a real one: a server with both gets a real cipher', async () => {
    const report = await check(await openssl(['-tls1_2', '-cipher', 'NULL-SHA256:AES128-SHA256@SECLEVEL=0']));
    expect(report.tls?.cipher).toBe('TLS_RSA_WITH_AES_128_CBC_SHA256');
    expect(codes(report)).toEqual([]);
  });

  it.each([
    ['3DES', '3DES-CBC', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    ['RC4', 'ARCFOUR-128', 'TLS_RSA_WITH_RC4_128_SHA'],
  ])('reports WEAK_CIPHER for a %s-only TLS 1.2 server (which Node cannot speak), read from its hello, and still checks its certificate', async (why, gnutlsCipher, suite) => {
    const server = await startGnutlsServer([rsaLeaf, pki.intermediate], `NONE:+VERS-TLS1.2:+${gnutlsCipher}:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL`);
    servers.push(server);
    const report = await check(server.port, true);
    expect(codes(report)).toEqual(['WEAK_CIPHER']);
    expect(report.findings[0].message).toBe(`the server negotiated ${suite} (${why}), read from its hello: Node cannot complete a handshake with it`);
    expect(report.tls).toMatchObject({ protocol: 'TLSv1.2', cipher: suite, versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': true, 'TLSv1.3': null } });
    expect(report.chain?.trusted).toBe(true);
    expect(report.chain?.presented.map((c) => c.subject)).toEqual(['CN=old.test', 'CN=Versions Intermediate CA']);
    expect(report.resumption.errors?.sessionId).toBe(`no handshake can be completed with ${suite}, the only suite the server chose`);
  });

  it('reports WEAK_CIPHER beside HANDSHAKE_FAILED for a server that speaks only an anonymous suite (no certificate to check)', async () => {
    const report = await check(await openssl(['-tls1_2', '-cipher', 'ADH-AES128-SHA:@SECLEVEL=0']));
    expect(codes(report)).toEqual(['HANDSHAKE_FAILED', 'WEAK_CIPHER']);
    expect(report.findings.find((f) => f.code === 'HANDSHAKE_FAILED')?.message).toBe('the server chose TLS_DH_anon_WITH_AES_128_CBC_SHA, an anonymous suite, and sent no certificate');
    expect(report.tls).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_DH_anon_WITH_AES_128_CBC_SHA' });
    expect(report.leaf).toBeNull();
  });

  it('finds TLS 1.0 on a server that speaks it only with 3DES (both probes offer what Node cannot)', async () => {
    const server = await startGnutlsServer([rsaLeaf, pki.intermediate], 'NONE:+VERS-TLS1.0:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL');
    servers.push(server);
    const report = await check(server.port);
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL', 'WEAK_CIPHER']);
    expect(report.tls).toMatchObject({ protocol: 'TLSv1', cipher: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', versions: { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': null } });
    expect(report.leaf?.subject).toBe('CN=old.test');
  });

  it('finds TLS 1.1 on a server that speaks AES-GCM in TLS 1.2 but only 3DES in TLS 1.0 and 1.1 (the version probe offers 3DES)', async () => {
    const server = await startGnutlsServer([rsaLeaf, pki.intermediate], 'NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+AES-128-GCM:+3DES-CBC:+AEAD:+SHA1:+RSA:+COMP-NULL:+SIGN-ALL:+CURVE-ALL');
    servers.push(server);
    const report = await check(server.port);
    expect(report.tls).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_RSA_WITH_AES_128_GCM_SHA256' });
    expect(codes(report)).toEqual(['LEGACY_PROTOCOL']);
    expect(report.tls?.versions).toEqual({ TLSv1: null, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': false });
  });

  it('judges the certificate a 3DES server sends like any other (here: expired)', async () => {
    const expired = await pki.leaf({ cn: 'old.test', key: { type: 'rsa', bits: 2048 }, notAfter: new Date(Date.now() - 86_400_000) });
    const server = await startGnutlsServer([expired, pki.intermediate], 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL');
    servers.push(server);
    const report = await check(server.port);
    expect(codes(report)).toEqual(['EXPIRED', 'WEAK_CIPHER']);
  });

  it.each([
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', '3DES'],
    ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', '3DES'],
    ['DES-CBC3-SHA', '3DES'],
    ['TLS_RSA_WITH_RC4_128_SHA', 'RC4'],
    ['ECDHE-RSA-RC4-SHA', 'RC4'],
    ['TLS_RSA_WITH_NULL_SHA', 'NULL: no encryption'],
    ['ECDHE-RSA-NULL-SHA', 'NULL: no encryption'],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'EXPORT grade'],
    ['EXP-RC4-MD5', 'EXPORT grade'],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'anonymous: the server is not authenticated'],
    ['ADH-AES128-SHA', 'anonymous: the server is not authenticated'],
    ['AECDH-NULL-SHA', 'anonymous: the server is not authenticated'],
    ['TLS_RSA_WITH_DES_CBC_SHA', 'single DES'],
    ['EDH-RSA-DES-CBC-SHA', 'single DES'],
  ])('names %s weak (%s)', (cipher, why) => {
    expect(cipherWeakness(cipher)).toBe(why);
  });

  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-GCM-SHA256', 'AES128-SHA', 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'])(
    'does not name %s weak',
    (cipher) => {
      expect(cipherWeakness(cipher)).toBeNull();
    },
  );
});

describe('the hand-written hellos against hostile servers', () => {
  /** A server that answers with the start of a ServerHello announced as 16 MB, then streams it forever. */
  async function endlessHello(): Promise<{ port: number; written: () => number }> {
    let most = 0;
    const server = await startRawServer((socket) => {
      socket.once('data', () => {
        let mine = 0;
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        socket.write(Buffer.from([22, 3, 3, 0, 4, 2, 0xff, 0xff, 0xff]));
        const more = () => {
          while (!socket.destroyed && mine < 8 * 1024 * 1024 && socket.write(Buffer.concat([Buffer.from([22, 3, 3, 0x40, 0x00]), chunk]))) most = Math.max(most, (mine += chunk.length));
        };
        socket.on('drain', more);
        more();
      });
    });
    servers.push(server);
    return { port: server.port, written: () => most };
  }

  const target = (port: number) => ({ address: '127.0.0.1', port, servername: 'old.test', timeoutMs: 3000, sessionWaitMs: 0 });

  it('stops reading a ServerHello that never ends at the bound, and calls it refused', async () => {
    const server = await endlessHello();
    const probe = await probeLegacyVersions(target(server.port));
    expect(probe).toEqual({ outcome: 'refused', detail: 'the server sent more than 262144 bytes before its certificates' });
    expect(await probeWeakSuites(target(server.port))).toBeNull();
    expect(server.written()).toBeLessThan(8 * 1024 * 1024);
  });

  it('calls an answer that is not TLS refused, and a port where nothing listens unknown', async () => {
    const server = await startRawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    servers.push(server);
    expect(await probeLegacyVersions(target(server.port))).toEqual({ outcome: 'refused', detail: 'the server sent a record of type 72, not TLS' });
    const closed = await probeLegacyVersions(target(1));
    expect(closed.outcome).toBe('unknown');
  });
});

describe('the connection of a hand-written hello', () => {
  it('is given up, and the wait ends, when the time runs out before it opens', async () => {
    const server = await startRawServer(() => undefined);
    servers.push(server);
    const controller = new AbortController();

    const opening = openTcp({ address: '127.0.0.1', port: server.port }, controller.signal);
    controller.abort();

    await expect(opening).rejects.toThrow('aborted');
  });

  it('reads a ServerHello split over two records, and over two packets', async () => {
    const body = Buffer.concat([Buffer.from([3, 2]), Buffer.alloc(32, 7), Buffer.from([0, 0xc0, 0x13, 0])]);
    const message = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
    const record = (fragment: Buffer) => Buffer.concat([Buffer.from([22, 3, 2, 0, fragment.length]), fragment]);
    const server = await startRawServer((socket) => {
      socket.once('data', () => {
        socket.write(record(message.subarray(0, 10)));
        setTimeout(() => socket.write(record(message.subarray(10))), 20);
      });
    });
    servers.push(server);

    const probe = await probeLegacyVersions({ address: '127.0.0.1', port: server.port, servername: 'old.test', timeoutMs: 2000, sessionWaitMs: 0 });

    expect(probe).toEqual({ outcome: 'accepted', protocol: 'TLSv1.1' });
  });

  it('opens when the time does not run out', async () => {
    const server = await startRawServer(() => undefined);
    servers.push(server);

    const socket = await openTcp({ address: '127.0.0.1', port: server.port }, new AbortController().signal);

    expect(socket.remotePort).toBe(server.port);
    socket.destroy();
  });
});
