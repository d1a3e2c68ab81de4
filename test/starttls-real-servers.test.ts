/**
 * STARTTLS against the real servers Debian packages: Exim (SMTP), Dovecot (IMAP, POP3),
 * PostgreSQL, OpenLDAP's slapd and Prosody (XMPP), each started here as `nobody` on a free loopback port with a throw-away
 * configuration and the test CA's certificate; and what each says when it has no TLS to offer.
 */
import { checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import type { Report } from '../lib/report';
import { parseTarget } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { initPostgres, removeCluster, startDovecot, startExim, startPostgres, startProsody, startSlapd, type DebianServer } from './fixtures/debian-servers';
import { hierarchy, type Hierarchy, type Issued } from './fixtures/pki';

// initdb and a server start take seconds, more on a busy machine.
jest.setTimeout(40_000);

let pki: Hierarchy;
let chain: Issued[];
let cluster: string | undefined;
const servers: DebianServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Debian');
  chain = [await pki.leaf({ cn: 'mail.test' }), pki.intermediate];
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  if (cluster) await removeCluster(cluster);
});

async function running(server: Promise<DebianServer>): Promise<DebianServer> {
  const started = await server;
  servers.push(started);
  return started;
}

async function postgres(ssl: boolean): Promise<DebianServer> {
  cluster ??= await initPostgres(chain);
  return running(startPostgres(cluster, { ssl }));
}

/** Checks `<scheme>://<host>:<port>` (mail.test unless told) on 127.0.0.1, trusting the test root, resumption probes included. */
async function check(scheme: string, port: number, host = 'mail.test'): Promise<Report> {
  const reports = await checkTarget(parseTarget(`${scheme}://${host}:${port}`), {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: 5000,
    resumption: true,
    revocation: false,
    resolve: new Map([[`${host}:${port}`, '127.0.0.1']]),
    trustStore: new TrustStore([pki.root.cert], 'the test CA file'),
  });
  return reports[0];
}

describe.each([
  // Exim resumes by tickets only (tls_resumption_hosts); Dovecot's one login process by both.
  // Exim and slapd use GnuTLS, whose default priority in Debian 12 still accepts TLS 1.0 and 1.1.
  ['smtp', 'Exim', 'smtp', () => running(startExim(chain, { tls: true })), ['LEGACY_PROTOCOL'], { sessionId: 'unsupported', ticket: 'supported', tls13: 'supported' }],
  ['imap', 'Dovecot', 'imap', () => running(startDovecot(chain, { ssl: true })), [], { sessionId: 'supported', ticket: 'supported', tls13: 'supported' }],
  ['pop3', 'Dovecot', 'pop3', () => running(startDovecot(chain, { ssl: true })), [], { sessionId: 'supported', ticket: 'supported', tls13: 'supported' }],
  // PostgreSQL turns session caching and tickets off by design: not probed, no warning.
  ['postgres', 'PostgreSQL', 'postgres', () => postgres(true), [], { sessionId: 'skipped', ticket: 'skipped', tls13: 'skipped' }],
  // slapd (GnuTLS) keeps no sessions; Prosody sends TLS 1.3 tickets it does not take back.
  ['ldap', 'slapd', 'ldap', () => running(startSlapd(chain, { tls: true })), ['NO_RESUMPTION', 'LEGACY_PROTOCOL'], { sessionId: 'unsupported', ticket: 'unsupported', tls13: 'unsupported' }],
  ['xmpp', 'Prosody', 'xmpp', () => running(startProsody(chain, { tls: true })), ['NO_RESUMPTION'], { sessionId: 'unsupported', ticket: 'unsupported', tls13: 'unsupported' }],
] as const)('%s:// against %s', (scheme, _, portName, start, findings, resumption) => {
  it('checks the certificate after the real dialogue, the resumption probes dialing through it too', async () => {
    const server = await start();

    const report = await check(scheme, server.ports[portName]);

    expect(report.findings.map((f) => f.code)).toEqual(findings);
    // The version probe went through the dialogue too. A server that takes TLS 1.1 answers it in
    // 1.1, which leaves 1.0 untold; TLS 1.2 is told by the session-ID probe (none for postgres).
    const legacy = (findings as readonly string[]).includes('LEGACY_PROTOCOL');
    expect(report.tls?.versions).toEqual({ TLSv1: legacy ? null : false, 'TLSv1.1': legacy, 'TLSv1.2': scheme === 'postgres' ? null : true, 'TLSv1.3': true });
    expect(report.target).toMatchObject({ protocol: scheme, address: '127.0.0.1' });
    expect(report.chain?.trusted).toBe(true);
    expect(report.leaf?.subjectAltNames).toEqual(['mail.test']);
    expect(report.resumption).toMatchObject(resumption);
  });
});

describe('a real server without TLS to offer', () => {
  it('xmpp:// for a domain Prosody does not serve is STARTTLS_REFUSED with its stream error', async () => {
    const server = await running(startProsody(chain, { tls: true }));

    const report = await check('xmpp', server.ports.xmpp, 'other.test');

    expect(report.findings).toEqual([{ code: 'STARTTLS_REFUSED', severity: 'critical', message: 'the server ended the XMPP stream with an error: "host-unknown: This server does not serve other.test"' }]);
  });

  it.each([
    ['smtp', 'Exim without tls_advertise_hosts', 'smtp', () => running(startExim(chain, { tls: false })), /^the server does not offer STARTTLS \(its EHLO answer\): "250-mail\.test Hello /],
    ['imap', 'Dovecot with ssl = no', 'imap', () => running(startDovecot(chain, { ssl: false })), /^the server refused STARTTLS: "a001 BAD TLS support isn't enabled\."$/],
    ['pop3', 'Dovecot with ssl = no', 'pop3', () => running(startDovecot(chain, { ssl: false })), /^the server refused STLS: "-ERR TLS support isn't enabled\."$/],
    ['postgres', 'PostgreSQL with ssl = off', 'postgres', () => postgres(false), /^the server does not accept SSL: "N"$/],
    ['ldap', 'slapd without a certificate', 'ldap', () => running(startSlapd(chain, { tls: false })), /^the server refused StartTLS: "protocolError \(2\): unsupported extended operation"$/],
    ['xmpp', 'Prosody without mod_tls', 'xmpp', () => running(startProsody(chain, { tls: false })), /^the server does not offer STARTTLS \(its stream features\): "/],
  ] as const)('%s:// against %s is STARTTLS_REFUSED with its words', async (scheme, _, portName, start, message) => {
    const server = await start();

    const report = await check(scheme, server.ports[portName]);

    expect(report.findings).toEqual([{ code: 'STARTTLS_REFUSED', severity: 'critical', message: expect.stringMatching(message) }]);
  });
});
