/**
 * STARTTLS against the real servers Debian packages: Exim (SMTP), Dovecot (IMAP, POP3) and
 * PostgreSQL, each started here as `nobody` on a free loopback port with a throw-away
 * configuration and the test CA's certificate; and what each says when it has no TLS to offer.
 */
import { checkTarget, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import type { Report } from '../lib/report';
import { parseTarget } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { initPostgres, removeCluster, startDovecot, startExim, startPostgres, type DebianServer } from './fixtures/debian-servers';
import { hierarchy, type Hierarchy, type Issued } from './fixtures/pki';

jest.setTimeout(20_000);

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

/** Checks `<scheme>://mail.test:<port>` on 127.0.0.1, trusting the test root, resumption probes included. */
async function check(scheme: string, port: number): Promise<Report> {
  const reports = await checkTarget(parseTarget(`${scheme}://mail.test:${port}`), {
    ...DEFAULT_CHECK_OPTIONS,
    timeoutMs: 5000,
    resumption: true,
    revocation: false,
    resolve: new Map([[`mail.test:${port}`, '127.0.0.1']]),
    trustStore: new TrustStore([pki.root.cert], 'the test CA file'),
  });
  return reports[0];
}

describe.each([
  // Exim resumes by tickets only (tls_resumption_hosts); Dovecot's one login process by both.
  ['smtp', 'Exim', 'smtp', () => running(startExim(chain, { tls: true })), [], { sessionId: 'unsupported', ticket: 'supported', tls13: 'supported' }],
  ['imap', 'Dovecot', 'imap', () => running(startDovecot(chain, { ssl: true })), [], { sessionId: 'supported', ticket: 'supported', tls13: 'supported' }],
  ['pop3', 'Dovecot', 'pop3', () => running(startDovecot(chain, { ssl: true })), [], { sessionId: 'supported', ticket: 'supported', tls13: 'supported' }],
  // PostgreSQL turns session caching and tickets off.
  ['postgres', 'PostgreSQL', 'postgres', () => postgres(true), ['NO_RESUMPTION'], { sessionId: 'unsupported', ticket: 'unsupported', tls13: 'unsupported' }],
] as const)('%s:// against %s', (scheme, _, portName, start, findings, resumption) => {
  it('checks the certificate after the real dialogue, the resumption probes dialing through it too', async () => {
    const server = await start();

    const report = await check(scheme, server.ports[portName]);

    expect(report.findings.map((f) => f.code)).toEqual(findings);
    expect(report.target).toMatchObject({ protocol: scheme, address: '127.0.0.1' });
    expect(report.chain?.trusted).toBe(true);
    expect(report.leaf?.subjectAltNames).toEqual(['mail.test']);
    expect(report.resumption).toMatchObject(resumption);
  });
});

describe('a real server without TLS to offer', () => {
  it.each([
    ['smtp', 'Exim without tls_advertise_hosts', 'smtp', () => running(startExim(chain, { tls: false })), /^the server does not offer STARTTLS \(its EHLO answer\): "250-mail\.test Hello /],
    ['imap', 'Dovecot with ssl = no', 'imap', () => running(startDovecot(chain, { ssl: false })), /^the server refused STARTTLS: "a001 BAD TLS support isn't enabled\."$/],
    ['pop3', 'Dovecot with ssl = no', 'pop3', () => running(startDovecot(chain, { ssl: false })), /^the server refused STLS: "-ERR TLS support isn't enabled\."$/],
    ['postgres', 'PostgreSQL with ssl = off', 'postgres', () => postgres(false), /^the server does not accept SSL: "N"$/],
  ] as const)('%s:// against %s is STARTTLS_REFUSED with its words', async (scheme, _, portName, start, message) => {
    const server = await start();

    const report = await check(scheme, server.ports[portName]);

    expect(report.findings).toEqual([{ code: 'STARTTLS_REFUSED', severity: 'critical', message: expect.stringMatching(message) }]);
  });
});
