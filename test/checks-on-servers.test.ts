/**
 * Every certificate finding code, produced by the checking core against a real TLS server on
 * 127.0.0.1 presenting generated certificates.
 */
import { checkLocal, codes } from './fixtures/check-local';
import { DAY, EKU_CLIENT_AUTH, hierarchy, issue, type Hierarchy, type Issued } from './fixtures/pki';
import { startSniRecorder, startTlsServer, type RunningServer, type TlsServerOptions } from './fixtures/tls-server';

let pki: Hierarchy;
const servers: RunningServer[] = [];

beforeAll(async () => {
  pki = await hierarchy('Servers');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: TlsServerOptions): Promise<number> {
  const server = await startTlsServer(opts);
  servers.push(server);
  return server.port;
}

/** Serves `leaf` with the usual intermediate and checks it as `name`, without resumption probes. */
async function checkLeaf(leaf: Issued, name = 'good.test', opts: { warnDays?: number; server?: Partial<TlsServerOptions> } = {}) {
  const { server, ...checkOptions } = opts;
  const port = await serve({ chain: [leaf, pki.intermediate], ...server });
  return checkLocal(name, port, { roots: [pki.root], resumption: false, ...checkOptions });
}

describe('a good certificate', () => {
  it('gives status ok, no findings and the contract report fields', async () => {
    const leaf = await pki.leaf({ cn: 'good.test', sans: ['good.test', 'www.good.test'] });
    const report = await checkLeaf(leaf);

    expect(report.status).toBe('ok');
    expect(report.findings).toEqual([]);
    expect(report.schemaVersion).toBe(1);
    expect(report.target).toEqual({ host: 'good.test', port: report.target.port, servername: 'good.test', address: '127.0.0.1', protocol: 'https' });
    expect(report.tls?.protocol).toBe('TLSv1.3');
    expect(report.leaf).toMatchObject({
      subject: 'CN=good.test',
      issuer: 'CN=Servers Intermediate CA',
      subjectAltNames: ['good.test', 'www.good.test'],
      keyAlgorithm: 'EC',
      keySize: 256,
      signatureAlgorithm: 'ecdsa-with-SHA256',
      fingerprintSha256: leaf.cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(report.leaf?.daysRemaining).toBeCloseTo(90, 0);
    expect(report.chain?.trusted).toBe(true);
    expect(report.chain?.presented.map((c) => c.subject)).toEqual(['CN=good.test', 'CN=Servers Intermediate CA']);
    expect(report.chain?.path.map((c) => c.subject)).toEqual(['CN=good.test', 'CN=Servers Intermediate CA', 'CN=Servers Root CA']);
    expect(report.resumption.sessionId).toBe('skipped');
  });

  it('accepts a leaf with an RSA key and a wildcard name', async () => {
    const leaf = await pki.leaf({ cn: '*.wild.test', key: { type: 'rsa', bits: 2048 } });
    const report = await checkLeaf(leaf, 'a.wild.test');
    expect(report.findings).toEqual([]);
    expect(report.leaf).toMatchObject({ keyAlgorithm: 'RSA', keySize: 2048 });
  });
});

describe('expiry', () => {
  it('reports EXPIRED for a leaf past its notAfter', async () => {
    const leaf = await pki.leaf({ cn: 'good.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 3 * DAY) });
    const report = await checkLeaf(leaf);
    expect(codes(report)).toEqual(['EXPIRED']);
    expect(report.status).toBe('critical');
    expect(report.findings[0].message).toMatch(/expired on \d{4}-\d\d-\d\d \(3 days ago\)/);
  });

  it('reports NOT_YET_VALID for a leaf whose notBefore is ahead', async () => {
    const leaf = await pki.leaf({ cn: 'good.test', notBefore: new Date(Date.now() + 5 * DAY) });
    expect(codes(await checkLeaf(leaf))).toEqual(['NOT_YET_VALID']);
  });

  it('reports EXPIRES_SOON as a warning inside warn-days and as critical inside critical-days', async () => {
    const soon = await checkLeaf(await pki.leaf({ cn: 'good.test', notAfter: new Date(Date.now() + 20 * DAY) }));
    expect(soon.findings).toEqual([expect.objectContaining({ code: 'EXPIRES_SOON', severity: 'warning' })]);
    expect(soon.status).toBe('warning');
    expect(soon.findings[0].message).toMatch(/^certificate expires in 20 days/);

    const verySoon = await checkLeaf(await pki.leaf({ cn: 'good.test', notAfter: new Date(Date.now() + 5 * DAY) }));
    expect(verySoon.findings).toEqual([expect.objectContaining({ code: 'EXPIRES_SOON', severity: 'critical' })]);
  });

  it('judges at the `now` it is given, not the wall clock', async () => {
    const leaf = await pki.leaf({ cn: 'good.test' });
    const port = await serve({ chain: [leaf, pki.intermediate] });
    const notAfter = new Date(leaf.cert.validTo).getTime();
    const at = (ms: number) => checkLocal('good.test', port, { roots: [pki.root], resumption: false, now: () => new Date(ms) });

    const soon = await at(notAfter - 5 * DAY);
    expect(soon.findings).toEqual([{ code: 'EXPIRES_SOON', severity: 'critical', message: expect.stringMatching(/^certificate expires in 5 days/) }]);
    expect(soon.leaf?.daysRemaining).toBe(5);
    expect(soon.checkedAt).toBe(new Date(notAfter - 5 * DAY).toISOString());

    expect(codes(await at(notAfter + DAY))).toEqual(['EXPIRED']);
  });

  it('counts exactly warn-days left as a warning and exactly critical-days as critical, a tenth of a day more as neither', async () => {
    const leaf = await pki.leaf({ cn: 'good.test' });
    const port = await serve({ chain: [leaf, pki.intermediate] });
    const notAfter = new Date(leaf.cert.validTo).getTime();
    const expiresSoonAt = async (daysLeft: number) => {
      const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false, warnDays: 21, criticalDays: 10, now: () => new Date(notAfter - daysLeft * DAY) });
      return report.findings.filter((f) => f.code === 'EXPIRES_SOON').map((f) => f.severity);
    };

    // Days remaining have one decimal: a tenth of a day is the least step above a threshold.
    expect(await expiresSoonAt(21.1)).toEqual([]);
    expect(await expiresSoonAt(21)).toEqual(['warning']);
    expect(await expiresSoonAt(10.1)).toEqual(['warning']);
    expect(await expiresSoonAt(10)).toEqual(['critical']);
  });

  it('honours --warn-days', async () => {
    const leaf = await pki.leaf({ cn: 'good.test', notAfter: new Date(Date.now() + 20 * DAY) });
    expect(codes(await checkLeaf(leaf, 'good.test', { warnDays: 10 }))).toEqual([]);
  });

  it('names the intermediate when it is the one expiring soon', async () => {
    const intermediate = await issue({ cn: 'Short Intermediate', ca: true, issuer: pki.root, notAfter: new Date(Date.now() + 10 * DAY) });
    const leaf = await issue({ cn: 'good.test', issuer: intermediate, notAfter: new Date(Date.now() + 5 * DAY) });
    const port = await serve({ chain: [leaf, intermediate] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    const messages = report.findings.filter((f) => f.code === 'EXPIRES_SOON').map((f) => f.message);
    expect(messages).toEqual([expect.stringMatching(/^certificate expires in 5 days/), expect.stringMatching(/^intermediate "CN=Short Intermediate" expires in 10 days/)]);
  });
});

describe('names', () => {
  it('reports HOSTNAME_MISMATCH listing the names the certificate is valid for', async () => {
    const report = await checkLeaf(await pki.leaf({ cn: 'other.test', sans: ['other.test', 'www.other.test'] }));
    expect(codes(report)).toEqual(['HOSTNAME_MISMATCH']);
    expect(report.findings[0].message).toBe('certificate is valid for other.test, www.other.test, not good.test');
  });

  it('does not let a wildcard cover two labels', async () => {
    const report = await checkLeaf(await pki.leaf({ cn: '*.wild.test' }), 'a.b.wild.test');
    expect(codes(report)).toEqual(['HOSTNAME_MISMATCH']);
  });

  it('matches an IP target against IP SANs and sends no SNI', async () => {
    const withIp = await pki.leaf({ cn: 'ip', sans: ['127.0.0.1'] });
    const port = await serve({ chain: [withIp, pki.intermediate] });
    const report = await checkLocal('127.0.0.1', port, { roots: [pki.root], resumption: false });
    expect(report.findings).toEqual([]);
    expect(report.target.servername).toBeNull();

    const withoutIp = await pki.leaf({ cn: 'ip', sans: ['good.test'] });
    const port2 = await serve({ chain: [withoutIp, pki.intermediate] });
    expect(codes(await checkLocal('127.0.0.1', port2, { roots: [pki.root], resumption: false }))).toEqual(['HOSTNAME_MISMATCH']);
  });
});

describe('SNI, as the server receives it', () => {
  it('is sent on no connection to an IP target and on every connection to a name, the probes\' included', async () => {
    const server = await serve({ chain: [await pki.leaf({ cn: 'good.test', sans: ['good.test', '127.0.0.1'] }), pki.intermediate] });
    const byIp = await startSniRecorder(server);
    const byName = await startSniRecorder(server);
    servers.push(byIp, byName);

    const ipReport = await checkLocal('127.0.0.1', byIp.port, { roots: [pki.root], resumptionAttempts: 1 });
    const nameReport = await checkLocal('good.test', byName.port, { roots: [pki.root], resumptionAttempts: 1 });

    expect([ipReport.status, nameReport.status]).toEqual(['ok', 'ok']);
    expect(byIp.servernames.length).toBeGreaterThan(1);
    expect(new Set(byIp.servernames)).toEqual(new Set([null]));
    expect(byName.servernames.length).toBeGreaterThan(1);
    expect(new Set(byName.servernames)).toEqual(new Set(['good.test']));
  });
});

describe('IPv6', () => {
  it('checks [::1]:port against an IPv6 SAN, without SNI', async () => {
    const server = await startTlsServer({ chain: [await pki.leaf({ cn: 'v6', sans: ['::1'] }), pki.intermediate], host: '::1' });
    servers.push(server);
    const report = await checkLocal(`[::1]:${server.port}`, 0, { roots: [pki.root], resumption: false });
    expect(report.findings).toEqual([]);
    expect(report.target).toEqual({ host: '::1', port: server.port, servername: null, address: '::1', protocol: 'https' });
    expect(report.leaf?.subjectAltNames).toEqual(['::1']);
  });
});

describe('the chain', () => {
  it('reports SELF_SIGNED for a self-signed leaf', async () => {
    const self = await issue({ cn: 'good.test' });
    const port = await serve({ chain: [self] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['SELF_SIGNED']);
    expect(report.chain?.trusted).toBe(false);
  });

  it('trusts a self-signed leaf that is itself in the trust store', async () => {
    const self = await issue({ cn: 'good.test' });
    const port = await serve({ chain: [self] });
    expect(codes(await checkLocal('good.test', port, { roots: [self], resumption: false }))).toEqual([]);
  });

  it('reports UNTRUSTED_ROOT when the chain ends at a root that is not trusted', async () => {
    const other = await hierarchy('Other');
    const leaf = await other.leaf({ cn: 'good.test' });
    const port = await serve({ chain: [leaf, other.intermediate, other.root] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['UNTRUSTED_ROOT']);
    expect(report.findings[0].message).toContain('"CN=Other Root CA"');
    expect(report.chain?.path).toHaveLength(3);
  });

  it('reports UNTRUSTED_ROOT when an unknown root is neither sent nor trusted', async () => {
    const other = await hierarchy('Private');
    const port = await serve({ chain: [await other.leaf({ cn: 'good.test' }), other.intermediate] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['UNTRUSTED_ROOT']);
    expect(report.findings[0].message).toContain('"CN=Private Root CA"');
  });

  it('reports INCOMPLETE_CHAIN when the server omits the intermediate', async () => {
    const port = await serve({ chain: [await pki.leaf({ cn: 'good.test' })] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['INCOMPLETE_CHAIN']);
    expect(report.findings[0].message).toContain('"CN=Servers Intermediate CA"');
  });

  it('reports CHAIN_ORDER for a chain sent out of order, and still verifies it', async () => {
    const leaf = await pki.leaf({ cn: 'good.test' });
    const port = await serve({ chain: [leaf, pki.root, pki.intermediate] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['CHAIN_ORDER']);
    expect(report.status).toBe('warning');
    expect(report.chain?.trusted).toBe(true);
    expect(report.chain?.presented.map((c) => c.subject)).toEqual(['CN=good.test', 'CN=Servers Root CA', 'CN=Servers Intermediate CA']);
  });

  it('reports CHAIN_ORDER for an unrelated certificate, naming it', async () => {
    const stray = await issue({ cn: 'Stray CA', ca: true });
    const port = await serve({ chain: [await pki.leaf({ cn: 'good.test' }), pki.intermediate, stray] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['CHAIN_ORDER']);
    expect(report.findings[0].message).toContain('"CN=Stray CA"');
  });

  it('accepts a cross-signed version of the trusted root after the intermediate, without CHAIN_ORDER', async () => {
    const oldRoot = await issue({ cn: 'Old Root', ca: true });
    const crossSigned = await issue({ cn: 'Servers Root CA', ca: true, issuer: oldRoot, keyPair: pki.root.key });
    const port = await serve({ chain: [await pki.leaf({ cn: 'good.test' }), pki.intermediate, crossSigned] });
    const withNewRoot = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(withNewRoot)).toEqual([]);
    expect(withNewRoot.chain?.path.map((c) => c.issuer)).toEqual(['CN=Servers Intermediate CA', 'CN=Servers Root CA', 'CN=Servers Root CA']);

    const withOldRoot = await checkLocal('good.test', port, { roots: [oldRoot], resumption: false });
    expect(codes(withOldRoot)).toEqual([]);
    expect(withOldRoot.chain?.path.map((c) => c.subject)).toEqual(['CN=good.test', 'CN=Servers Intermediate CA', 'CN=Servers Root CA', 'CN=Old Root']);
  });

  it('accepts the root sent after the intermediate', async () => {
    const port = await serve({ chain: [await pki.leaf({ cn: 'good.test' }), pki.intermediate, pki.root] });
    expect(codes(await checkLocal('good.test', port, { roots: [pki.root], resumption: false }))).toEqual([]);
  });

  it('reports CHAIN_CERT_EXPIRED for an expired intermediate, and not EXPIRED', async () => {
    const old = await issue({ cn: 'Old Intermediate', ca: true, issuer: pki.root, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const port = await serve({ chain: [await issue({ cn: 'good.test', issuer: old }), old] });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(codes(report)).toEqual(['CHAIN_CERT_EXPIRED']);
    expect(report.findings[0].message).toContain('"CN=Old Intermediate"');
  });
});

describe('weak crypto and key usage', () => {
  it('reports WEAK_SIGNATURE for a SHA-1 signed leaf', async () => {
    const report = await checkLeaf(await pki.leaf({ cn: 'good.test', hash: 'sha1' }));
    expect(codes(report)).toEqual(['WEAK_SIGNATURE']);
    expect(report.leaf?.signatureAlgorithm).toBe('ecdsa-with-SHA1');
  });

  it('reports WEAK_SIGNATURE for an MD5 signed intermediate, naming it', async () => {
    const rsaRoot = await issue({ cn: 'RSA Root', ca: true, key: { type: 'rsa', bits: 2048 } });
    const md5 = await issue({ cn: 'MD5 Intermediate', ca: true, issuer: rsaRoot, hash: 'md5' });
    const port = await serve({ chain: [await issue({ cn: 'good.test', issuer: md5 }), md5] });
    const report = await checkLocal('good.test', port, { roots: [rsaRoot], resumption: false });
    expect(codes(report)).toEqual(['WEAK_SIGNATURE']);
    expect(report.findings[0].message).toBe('intermediate "CN=MD5 Intermediate" is signed with md5WithRSAEncryption');
    expect(report.chain?.trusted).toBe(true);
  });

  it('reports WEAK_KEY for a 1024-bit RSA leaf', async () => {
    const report = await checkLeaf(await pki.leaf({ cn: 'good.test', key: { type: 'rsa', bits: 1024 } }));
    expect(codes(report)).toEqual(['WEAK_KEY']);
    expect(report.findings[0].message).toContain('1024-bit RSA key');
  });

  it('reports WEAK_KEY for a 1024-bit RSA-PSS leaf, and nothing for a 2048-bit one', async () => {
    const weak = await checkLeaf(await pki.leaf({ cn: 'good.test', key: { type: 'rsa-pss', bits: 1024 } }));
    const strong = await checkLeaf(await pki.leaf({ cn: 'good.test', key: { type: 'rsa-pss', bits: 2048 } }));

    expect(codes(weak)).toEqual(['WEAK_KEY']);
    expect(weak.findings[0].message).toBe('the certificate has a 1024-bit RSA-PSS key (at least 2048 bits needed)');
    expect(strong.leaf).toMatchObject({ keyAlgorithm: 'RSA-PSS', keySize: 2048 });
    expect(codes(strong)).toEqual([]);
  });

  it('reports WEAK_KEY for a DSA leaf of any size (the Web PKI allows RSA and ECDSA only)', async () => {
    // DSA keys sign in TLS 1.2 only, with DHE-DSS suites, which Node's default ciphers leave out.
    const server = { maxVersion: 'TLSv1.2', ciphers: 'ALL:@SECLEVEL=0', dhe: true } as const;
    for (const bits of [1024, 2048]) {
      const report = await checkLeaf(await pki.leaf({ cn: 'good.test', key: { type: 'dsa', bits } }), 'good.test', { server });
      expect(report.leaf).toMatchObject({ keyAlgorithm: 'DSA', keySize: bits });
      expect(codes(report)).toEqual(['WEAK_KEY']);
      expect(report.findings[0].message).toBe(`the certificate has a DSA key (${bits} bits), which the Web PKI no longer allows`);
    }
  });

  it('reports NOT_FOR_SERVER_AUTH for a client-only certificate', async () => {
    const report = await checkLeaf(await pki.leaf({ cn: 'good.test', eku: [EKU_CLIENT_AUTH] }));
    expect(codes(report)).toEqual(['NOT_FOR_SERVER_AUTH']);
    expect(report.findings[0].message).toContain('clientAuth');
  });

  it('fetches the certificate from a TLS 1.0 server', async () => {
    const port = await serve({ chain: [await pki.leaf({ cn: 'good.test' }), pki.intermediate], minVersion: 'TLSv1', maxVersion: 'TLSv1' });
    const report = await checkLocal('good.test', port, { roots: [pki.root], resumption: false });
    expect(report.tls?.protocol).toBe('TLSv1');
    expect(report.leaf?.subject).toBe('CN=good.test');
  });
});
