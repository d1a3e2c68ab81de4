/**
 * STARTTLS end to end: servers on loopback that speak SMTP, IMAP, POP3, FTP, LDAP, XMPP and
 * PostgreSQL before TLS as their RFCs write it, checked through the checking core; refusals, and servers that speak
 * something else.
 */
import { checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import type { Report } from '../lib/report';
import { parseTarget, type StarttlsDialogue } from '../lib/target';
import { MAX_PREAMBLE_BYTES } from '../lib/tls/starttls/conversation';
import { TrustStore } from '../lib/x509/trust-store';
import { codes } from './fixtures/check-local';
import { hierarchy, type Hierarchy, type Issued } from './fixtures/pki';
import { ldapExtendedResponse, postgresError, startStarttlsServer, XMPP_FEATURES, type RunningStarttlsServer, type StarttlsServerOptions } from './fixtures/starttls-server';
import { startRawServer, type RunningServer } from './fixtures/tls-server';

let pki: Hierarchy;
let leaf: Issued;
const servers: RunningServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Mail');
  leaf = await pki.leaf({ cn: 'mail.test' });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(dialogue: StarttlsDialogue, opts: Partial<StarttlsServerOptions> = {}): Promise<RunningStarttlsServer> {
  const server = await startStarttlsServer({ chain: [leaf, pki.intermediate], dialogue, ...opts });
  servers.push(server);
  return server;
}

async function raw(onConnection: Parameters<typeof startRawServer>[0]): Promise<RunningServer> {
  const server = await startRawServer(onConnection);
  servers.push(server);
  return server;
}

/** Checks `<scheme>://mail.test:<port>` on 127.0.0.1, trusting the test root. */
async function check(scheme: string, port: number, opts: { resumption?: boolean; timeoutMs?: number } = {}): Promise<Report> {
  const target = parseTarget(`${scheme}://mail.test:${port}`);
  const reports = await checkTarget(target, {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: opts.timeoutMs ?? 3000,
    resumption: opts.resumption ?? false,
    revocation: false,
    resolve: new Map([[`mail.test:${port}`, '127.0.0.1']]),
    trustStore: new TrustStore([pki.root.cert], 'the test CA file'),
  });
  return reports[0];
}

function finding(report: Report) {
  expect(report.findings).toHaveLength(1);
  return report.findings[0];
}

describe.each([
  ['smtp', 'smtp', ['EHLO [127.0.0.1]', 'STARTTLS']],
  ['submission', 'smtp', ['EHLO [127.0.0.1]', 'STARTTLS']],
  ['imap', 'imap', ['a001 STARTTLS']],
  ['pop3', 'pop3', ['STLS']],
  ['ftp', 'ftp', ['AUTH TLS']],
  // LDAPMessage { messageID 1, ExtendedRequest { requestName "1.3.6.1.4.1.1466.20037" } }.
  ['ldap', 'ldap', ['\x30\x1d\x02\x01\x01\x77\x18\x80\x161.3.6.1.4.1.1466.20037']],
  [
    'xmpp',
    'xmpp',
    [
      "<?xml version='1.0'?><stream:stream to='mail.test' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
      "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
    ],
  ],
  // Int32 8, Int32 80877103.
  ['postgres', 'postgres', ['\x00\x00\x00\x08\x04\xd2\x16\x2f']],
] as const)('%s://', (scheme, dialogue, said) => {
  it('speaks the protocol, then checks the certificate: chain trusted, name checked, every resumption probe through the same dialogue', async () => {
    const server = await serve(dialogue);

    const report = await check(scheme, server.port, { resumption: true });

    expect(report.target).toMatchObject({ host: 'mail.test', port: server.port, protocol: scheme, address: '127.0.0.1' });
    expect(report.findings).toEqual([]);
    expect(report.chain?.trusted).toBe(true);
    expect(report.leaf?.subjectAltNames).toEqual(['mail.test']);
    if (scheme === 'postgres') {
      // PostgreSQL turns resumption off by design: not probed, whatever the server would do.
      expect(report.resumption).toMatchObject({ sessionId: 'skipped', ticket: 'skipped', tls13: 'skipped', attempts: { sessionId: [0, 0], ticket: [0, 0], tls13: [0, 0] } });
      // The check's handshake and the TLS 1.0/1.1 probe (which this server refuses), no more.
      expect(server.stats.connections).toBe(2);
      return;
    }
    expect(report.resumption).toMatchObject({
      sessionId: 'supported',
      ticket: 'supported',
      tls13: 'supported',
      attempts: { sessionId: [3, 3], ticket: [3, 3], tls13: [3, 3] },
    });
    // Every connection said exactly the dialogue's lines before its handshake (the server may
    // still be finishing the last one when the client is done); every handshake completed but
    // the TLS 1.0/1.1 probe's, which this server refuses.
    for (let i = 0; i < 50 && server.stats.handshakes < server.stats.connections - 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.stats.connections).toBeGreaterThanOrEqual(11);
    expect(server.stats.handshakes).toBe(server.stats.connections - 1);
    expect(server.heard).toEqual(Array.from({ length: server.stats.connections }, () => said));
  });

  it('names a wrong host after the dialogue as it would on HTTPS', async () => {
    const other = await pki.leaf({ cn: 'other.test' });
    const server = await serve(dialogue, { chain: [other, pki.intermediate] });

    const report = await check(scheme, server.port);

    expect(codes(report)).toEqual(['HOSTNAME_MISMATCH']);
  });
});

describe('ftp:// with a server that asks the client to wait (RFC 959 120)', () => {
  it('reads on to the 220 greeting', async () => {
    const server = await serve('ftp', { replies: { greeting: '120 ready in a moment\r\n220 ready\r\n' } });

    const report = await check('ftp', server.port);

    expect(report.findings).toEqual([]);
  });
});

describe('a server that refuses to start TLS', () => {
  it.each([
    ['smtp', 'smtp', { starttls: '454 4.7.0 TLS not available due to local problem\r\n' }, /^the server refused STARTTLS: "454 4\.7\.0 TLS not available due to local problem"$/],
    ['smtp', 'smtp', { greeting: '554 5.3.2 mail.test no SMTP service here\r\n' }, /^the server refused the SMTP session: "554 5\.3\.2 mail\.test no SMTP service here"$/],
    ['smtp', 'smtp', { ehlo: '250-mail.test greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n' }, /^the server does not offer STARTTLS \(its EHLO answer\): "250-mail\.test greets you \/ 250-PIPELINING \/ 250 8BITMIME"$/],
    ['submission', 'smtp', { ehlo: '550 5.7.1 go away\r\n' }, /^the server refused EHLO: "550 5\.7\.1 go away"$/],
    ['imap', 'imap', { starttls: '{tag} NO [UNAVAILABLE] TLS is not available\r\n' }, /^the server refused STARTTLS: "a001 NO \[UNAVAILABLE\] TLS is not available"$/],
    ['imap', 'imap', { starttls: '{tag} BAD unknown command\r\n' }, /^the server refused STARTTLS: "a001 BAD unknown command"$/],
    ['imap', 'imap', { greeting: '* BYE too many connections\r\n' }, /^the server refused the IMAP session: "\* BYE too many connections"$/],
    ['pop3', 'pop3', { stls: '-ERR TLS not configured\r\n' }, /^the server refused STLS: "-ERR TLS not configured"$/],
    ['pop3', 'pop3', { greeting: '-ERR server busy\r\n' }, /^the server refused the POP3 session: "-ERR server busy"$/],
    ['imap', 'imap', { greeting: '* PREAUTH [CAPABILITY IMAP4rev1] logged in as you\r\n' }, /^the server greets with PREAUTH, after which STARTTLS is not allowed: /],
    ['ftp', 'ftp', { greeting: '421 Service not available, closing control connection\r\n' }, /^the server refused the FTP session: "421 Service not available, closing control connection"$/],
    ['ftp', 'ftp', { auth: '534 Policy forbids TLS\r\n' }, /^the server refused AUTH TLS: "534 Policy forbids TLS"$/],
    ['ftp', 'ftp', { auth: '431 TLS is not available now\r\n' }, /^the server refused AUTH TLS: "431 TLS is not available now"$/],
  ] as const)('%s: %j is STARTTLS_REFUSED with its words', async (scheme, dialogue, replies, message) => {
    const server = await serve(dialogue, { replies, then: 'wait' });

    const report = await check(scheme, server.port);

    expect(finding(report)).toEqual({ code: 'STARTTLS_REFUSED', severity: 'critical', message: expect.stringMatching(message) });
    expect(report.status).toBe('critical');
    expect(server.stats.handshakes).toBe(0);
  });

  it('quotes at most 200 characters of its words, without control characters', async () => {
    const server = await serve('smtp', { replies: { starttls: `454 4.7.0 \x1b[31mred\x07 ${'x'.repeat(500)}\r\n` }, then: 'wait' });

    const { message } = finding(await check('smtp', server.port));

    expect(message).toMatch(/^the server refused STARTTLS: "454 4\.7\.0 \[31mred x+…"$/);
    expect(message.length).toBeLessThan(260);
  });
});

describe('a server that speaks something else', () => {
  it.each([
    ['smtp', 'smtp', { greeting: 'HTTP/1.1 400 Bad Request\r\n' }, /^expected an SMTP greeting \(220\), got "HTTP\/1\.1 400 Bad Request"$/],
    ['smtp', 'smtp', { starttls: '250 2.0.0 ok\r\n' }, /^expected an answer to STARTTLS \(220\), got "250 2\.0\.0 ok"$/],
    ['smtp', 'smtp', { ehlo: '250-mail.test\r\n251 STARTTLS\r\n' }, /^expected the rest of a 250 reply, got "250-mail\.test \/ 251 STARTTLS"$/],
    ['imap', 'imap', { greeting: '+OK POP3 server ready\r\n' }, /^expected an IMAP greeting \(\* OK\), got "\+OK POP3 server ready"$/],
    ['imap', 'imap', { starttls: 'a002 OK not my tag\r\n' }, /^expected an answer to STARTTLS \(a001 OK\), got "a002 OK not my tag"$/],
    ['pop3', 'pop3', { greeting: '220 mail.test ESMTP\r\n' }, /^expected a POP3 greeting \(\+OK\), got "220 mail\.test ESMTP"$/],
    ['ftp', 'ftp', { auth: '200 fine\r\n' }, /^expected an answer to AUTH TLS \(234\), got "200 fine"$/],
    ['ftp', 'ftp', { greeting: '230 already logged in\r\n' }, /^expected an FTP greeting \(220\), got "230 already logged in"$/],
  ] as const)('%s: %j is HANDSHAKE_FAILED with what was expected and what came', async (scheme, dialogue, replies, message) => {
    const server = await serve(dialogue, { replies, then: 'wait' });

    const report = await check(scheme, server.port);

    expect(finding(report)).toEqual({ code: 'HANDSHAKE_FAILED', severity: 'critical', message: expect.stringMatching(message) });
  });

  it('makes the resumption probes errors, not "no TLS 1.2", when only the first connection speaks the protocol', async () => {
    const server = await serve('smtp', { laterGreeting: 'HTTP/1.1 400 Bad Request\r\n' });

    const report = await check('smtp', server.port, { resumption: true });

    // The check's own handshake worked: the certificate's findings stand, and nothing is said of resumption.
    expect(report.status).toBe('ok');
    expect(report.findings).toEqual([]);
    const came = 'expected an SMTP greeting (220), got "HTTP/1.1 400 Bad Request"';
    expect(report.resumption).toMatchObject({
      sessionId: 'error',
      ticket: 'error',
      tls13: 'error',
      errors: { sessionId: expect.stringContaining(came), ticket: expect.stringContaining(came), tls13: expect.stringContaining(came) },
    });
    // Nothing was learnt of TLS 1.2 (nor of 1.0/1.1: the version probe got the same greeting).
    expect(report.tls?.versions).toEqual({ TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': true });
    expect(report.tls?.versionProbeError).toContain(came);
  });

  it('is HANDSHAKE_FAILED when it closes the connection in the middle of the dialogue', async () => {
    const server = await raw((socket) => socket.end('220-mail.test still greeting\r\n'));

    const { code, message } = finding(await check('smtp', server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toBe('expected the rest of a 220 reply, but the server closed the connection');
  });

  it('is HANDSHAKE_FAILED, not buffered, for a 5 MB greeting', async () => {
    // The most written to one connection (the check's and the version probe's each get a greeting).
    let written = 0;
    const server = await raw((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let mine = 0;
      const more = () => {
        while (mine < 5 * 1024 * 1024 && socket.write(chunk)) written = Math.max(written, (mine += chunk.length));
      };
      socket.on('drain', more);
      more();
    });

    const { code, message } = finding(await check('smtp', server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toMatch(new RegExp(`^expected an SMTP greeting \\(220\\), but the server sent more than ${MAX_PREAMBLE_BYTES} bytes without it \\(it sent "x+…"\\)$`));
    expect(written).toBeLessThan(5 * 1024 * 1024);
  });

  it('is HANDSHAKE_FAILED at the byte bound for a multi-line greeting that never ends', async () => {
    const server = await raw((socket) => {
      const line = '220-still greeting you\r\n'.repeat(100);
      const more = () => {
        while (!socket.destroyed && socket.write(line));
      };
      socket.on('drain', more);
      more();
    });

    const { code, message } = finding(await check('smtp', server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toMatch(/^expected the rest of a 220 reply, but the server sent more than 65536 bytes without it/);
  });

  it('is TIMEOUT when the greeting never ends within the timeout', async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await raw((socket) => {
      socket.write('220-mail.test greeting\r\n');
      const timer = setInterval(() => socket.write('220-still greeting\r\n'), 50);
      timers.push(timer);
      socket.on('close', () => clearInterval(timer));
    });

    const started = Date.now();
    const report = await check('smtp', server.port, { timeoutMs: 500 });

    timers.forEach(clearInterval);
    expect(finding(report)).toEqual({ code: 'TIMEOUT', severity: 'unknown', message: 'no answer within 500 ms: expected the rest of a 220 reply' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is HANDSHAKE_FAILED when it "upgrades" to plain text', async () => {
    const server = await serve('smtp', { then: 'garbage' });

    const { code, message } = finding(await check('smtp', server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toMatch(/^TLS handshake failed: /);
  });

  it('is HANDSHAKE_FAILED when it sends more after agreeing to start TLS', async () => {
    const server = await serve('pop3', { replies: { stls: '+OK Begin TLS negotiation\r\n+OK injected\r\n' }, then: 'wait' });

    const { code, message } = finding(await check('pop3', server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toBe('the server sent more after its answer to STLS, before TLS could start: "+OK injected"');
  });
});

describe('ldap://, xmpp:// and postgres:// servers that say no', () => {
  const xmppHeader = XMPP_FEATURES.slice(0, XMPP_FEATURES.indexOf('<stream:features>'));
  it.each([
    ['ldap: protocolError', 'ldap', { starttls: ldapExtendedResponse(2, 'unsupported extended operation') }, 'the server refused StartTLS: "protocolError (2): unsupported extended operation"'],
    ['ldap: unavailable, no words', 'ldap', { starttls: ldapExtendedResponse(52) }, 'the server refused StartTLS: "unavailable (52)"'],
    ['ldap: an unknown result code', 'ldap', { starttls: ldapExtendedResponse(99, 'odd') }, 'the server refused StartTLS: "an unknown result code (99): odd"'],
    [
      'ldap: a notice of disconnection (RFC 4511 4.4.1)',
      'ldap',
      { starttls: ldapExtendedResponse(52, 'server shutting down', { messageId: 0, responseName: '1.3.6.1.4.1.1466.20036' }) },
      'the server sent a notice of disconnection: "unavailable (52): server shutting down"',
    ],
    [
      'xmpp: no starttls among the features',
      'xmpp',
      { stream: `${xmppHeader}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>` },
      `the server does not offer STARTTLS (its stream features): "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"`,
    ],
    ['xmpp: <failure/>', 'xmpp', { starttls: "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>" }, `the server refused STARTTLS: "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"`],
    [
      'xmpp: a stream error for an unknown host',
      'xmpp',
      {
        stream: `${xmppHeader}<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such domain</text></stream:error></stream:stream>`,
      },
      'the server ended the XMPP stream with an error: "host-unknown: no such domain"',
    ],
    ['xmpp: the stream closed at once', 'xmpp', { stream: `${xmppHeader}</stream:stream>` }, 'the server closed the XMPP stream: "</stream:stream>"'],
    ['postgres: N', 'postgres', { sslrequest: 'N' }, 'the server does not accept SSL: "N"'],
    [
      'postgres: an ErrorResponse',
      'postgres',
      { sslrequest: postgresError({ S: 'FATAL', V: 'FATAL', C: '0A000', M: 'unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0' }) },
      'the server refused SSLRequest: "FATAL: unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0 (SQLSTATE 0A000)"',
    ],
    ['postgres: a protocol 2 error', 'postgres', { sslrequest: 'EFATAL:  unsupported frontend protocol\n\0' }, 'the server refused SSLRequest: "FATAL:  unsupported frontend protocol"'],
  ] as const)('%s is STARTTLS_REFUSED with its words', async (_, dialogue, replies, message) => {
    const server = await serve(dialogue, { replies, then: 'wait' });

    const report = await check(dialogue, server.port);

    expect(finding(report)).toEqual({ code: 'STARTTLS_REFUSED', severity: 'critical', message: typeof message === 'string' ? message : expect.stringMatching(message) });
    expect(server.stats.handshakes).toBe(0);
  });
});

describe('ldap://, xmpp:// and postgres:// answers written other ways the protocols allow', () => {
  it.each([
    // RFC 2830 had the responseName in the answer; Active Directory writes lengths in the long form.
    ['ldap: with the responseName', 'ldap', { starttls: ldapExtendedResponse(0, '', { responseName: '1.3.6.1.4.1.1466.20037' }) }],
    ['ldap: long-form lengths', 'ldap', { starttls: Buffer.from('3084000000100201017884000000070a010004000400', 'hex') }],
    [
      'xmpp: double quotes, no XML declaration, other prefixes, whitespace between elements',
      'xmpp',
      {
        stream:
          '<s:stream xmlns:s="http://etherx.jabber.org/streams" xmlns="jabber:client" from="mail.test" id="x1" version="1.0">\n' +
          '  <!-- features follow -->\n  <s:features>\n    <t:starttls xmlns:t="urn:ietf:params:xml:ns:xmpp-tls"/>\n  </s:features>',
        starttls: '\n<t:proceed xmlns:t="urn:ietf:params:xml:ns:xmpp-tls"></t:proceed>',
      },
    ],
  ] as const)('%s', async (_, dialogue, replies) => {
    const server = await serve(dialogue, { replies });

    const report = await check(dialogue, server.port);

    expect(report.findings).toEqual([]);
    expect(report.chain?.trusted).toBe(true);
  });
});

describe('ldap://, xmpp:// and postgres:// servers that speak something else', () => {
  it.each([
    ['ldap: HTTP', 'ldap', { starttls: 'HTTP/1.1 400 Bad Request\r\n' }, 'expected an LDAP ExtendedResponse to StartTLS (messageID 1), got "HTTP/1.1 400 Bad Request"'],
    ['ldap: another messageID', 'ldap', { starttls: ldapExtendedResponse(0, '', { messageId: 2 }) }, 'expected an LDAP ExtendedResponse to StartTLS (messageID 1), got bytes 30 0c 02 01 02 78 07 0a 01 00 04 00 04 00'],
    ['ldap: a BindResponse', 'ldap', { starttls: Buffer.from('300c02010161070a010004000400', 'hex') }, 'expected an LDAP ExtendedResponse to StartTLS (messageID 1), got bytes 30 0c 02 01 01 61 07 0a 01 00 04 00 04 00'],
    // An answer that would never end within the bound fails at once, on its declared length.
    ['ldap: a length beyond the bound', 'ldap', { starttls: Buffer.from('30847fffffff0201', 'hex') }, 'expected an LDAP ExtendedResponse to StartTLS (messageID 1), got "an LDAPMessage of 2147483653 bytes, more than the 65536 read before TLS"'],
    ['xmpp: HTTP', 'xmpp', { stream: 'HTTP/1.1 400 Bad Request\r\n' }, 'expected an XMPP stream header and its features (<stream:features>), got "HTTP/1.1 400 Bad Request"'],
    [
      'xmpp: a message before the features',
      'xmpp',
      { stream: "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><message><body>hi</body></message>" },
      `expected an XMPP stream header and its features (<stream:features>), got "<message><body>hi</body></message>"`,
    ],
    [
      'xmpp: SASL success instead of proceed',
      'xmpp',
      { starttls: "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" },
      `expected <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, got "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"`,
    ],
    ['xmpp: an HTML page', 'xmpp', { stream: '<html><body>hello</body></html>' }, 'expected an XMPP stream header and its features (<stream:features>), got "<html><body>hello</body></html>"'],
    ['xmpp: another TLS element', 'xmpp', { starttls: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" }, `expected <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, got "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"`],
    ['xmpp: mismatched tags', 'xmpp', { starttls: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></failure>" }, `expected <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, got "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></failure>"`],
    ['postgres: HTTP', 'postgres', { sslrequest: 'HTTP/1.1 400 Bad Request\r\n' }, `expected an answer to SSLRequest ('S' or 'N'), got "HTTP/1.1 400 Bad Request"`],
    ['postgres: a zero byte', 'postgres', { sslrequest: Buffer.from([0]) }, `expected an answer to SSLRequest ('S' or 'N'), got bytes 00`],
    // CVE-2021-23214: bytes after 'S' would be read as if TLS had protected them.
    ['postgres: bytes after S', 'postgres', { sslrequest: 'SSELECT 1;' }, `the server sent more after its 'S' to SSLRequest, before TLS could start: "SELECT 1;"`],
    ['xmpp: bytes after proceed', 'xmpp', { starttls: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message/>" }, 'the server sent more after its <proceed/>, before TLS could start: "<message/>"'],
    ['ldap: bytes after the answer', 'ldap', { starttls: Buffer.concat([ldapExtendedResponse(0), Buffer.from('more')]) }, 'the server sent more after its answer to StartTLS, before TLS could start: "more"'],
  ] as const)('%s is HANDSHAKE_FAILED with what was expected and what came', async (_, dialogue, replies, message) => {
    const server = await serve(dialogue, { replies, then: 'wait' });

    const report = await check(dialogue, server.port);

    expect(finding(report)).toEqual({ code: 'HANDSHAKE_FAILED', severity: 'critical', message });
  });

  it.each(['ldap', 'xmpp', 'postgres'] as const)('%s: is HANDSHAKE_FAILED when the server "upgrades" to plain text', async (dialogue) => {
    const server = await serve(dialogue, { then: 'garbage' });

    const { code, message } = finding(await check(dialogue, server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message).toMatch(/^TLS handshake failed: /);
  });

  it.each([
    ['xmpp', 'an XMPP stream header and its features (<stream:features>)', () => Buffer.from('<mechanism>PLAIN</mechanism>'.repeat(40))],
    ['postgres', "an answer to SSLRequest ('S' or 'N')", () => Buffer.from('E'.repeat(1024))],
  ] as const)('%s: is HANDSHAKE_FAILED at the byte bound for an answer that never ends', async (dialogue, expecting, chunk) => {
    const server = await raw((socket) => {
      socket.once('data', () => {
        if (dialogue === 'xmpp') socket.write("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client'><stream:features>");
        const more = () => {
          while (!socket.destroyed && socket.write(chunk()));
        };
        socket.on('drain', more);
        more();
      });
    });

    const { code, message } = finding(await check(dialogue, server.port));

    expect(code).toBe('HANDSHAKE_FAILED');
    expect(message.startsWith(`expected ${expecting}, but the server sent more than ${MAX_PREAMBLE_BYTES} bytes without it`)).toBe(true);
  });

  it.each([
    ['ldap', 'an LDAP ExtendedResponse to StartTLS (messageID 1)', Buffer.from('3081ff', 'hex'), Buffer.from([4])],
    ['xmpp', 'an XMPP stream header and its features (<stream:features>)', Buffer.from("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:features>"), Buffer.from(' ')],
    ['postgres', "an answer to SSLRequest ('S' or 'N')", Buffer.from('E\0\0\0\xff', 'latin1'), Buffer.from('x')],
  ] as const)('%s: is TIMEOUT when the answer trickles on past the timeout', async (dialogue, expecting, start, trickle) => {
    const timers: NodeJS.Timeout[] = [];
    const server = await raw((socket) => {
      socket.once('data', () => {
        socket.write(start);
        const timer = setInterval(() => socket.write(trickle), 50);
        timers.push(timer);
        socket.on('close', () => clearInterval(timer));
      });
    });

    const started = Date.now();
    const report = await check(dialogue, server.port, { timeoutMs: 500 });

    timers.forEach(clearInterval);
    expect(finding(report)).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(new RegExp(`^no answer within 500 ms: expected ${expecting.replace(/[()<>']/g, '\\$&')}`)) });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('xmpp:// with a servername from a structured targets file', () => {
  it('asks the stream for that domain, the name the certificate is checked against', async () => {
    const server = await serve('xmpp');
    const target = { ...parseTarget(`xmpp://127.0.0.1:${server.port}`), settings: { servername: 'mail.test' } };

    const [report] = await checkTarget(target, { ...DEFAULT_CHECK_OPTIONS, timeoutMs: 3000, resumption: false, revocation: false, trustStore: new TrustStore([pki.root.cert], 'the test CA file') });

    expect(report.findings).toEqual([]);
    expect(server.heard[0][0]).toContain(" to='mail.test' ");
  });
});
