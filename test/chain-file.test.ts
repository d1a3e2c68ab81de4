/**
 * certcheck --chain-file: a PEM bundle checked without connecting, with the same report, output
 * and exit codes as a connection; --name, --at and the arguments that cannot go with it.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { execFile } from 'node:child_process';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { runCli as run } from './fixtures/cli-run';
import type { Report } from '../lib/report';
import { TrustStore } from '../lib/x509/trust-store';
import { startHttpServer, type RunningHttpServer } from './fixtures/http-server';
import { DAY, hierarchy, issueCrl, serialOf, type Hierarchy, type Issued } from './fixtures/pki';

let pki: Hierarchy;
let leaf: Issued;
let dir: string;
let caFile: string;
let fullchain: string;
let http: RunningHttpServer;




/** Runs the CLI and returns its one report, with the exit code. */
async function report(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await run([...args, '--json']);
  const reports = JSON.parse(stdout) as Report[];
  expect(reports).toHaveLength(1);
  return { code, report: reports[0], stderr };
}

/** Writes `pems` (in this order) to a new file in the test folder. */
async function pemFile(name: string, ...pems: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, pems.join(''));
  return path;
}

const codes = (r: Report) => r.findings.map((f) => f.code).sort();

beforeAll(async () => {
  pki = await hierarchy('ChainFile');
  leaf = await pki.leaf({ cn: 'www.good.test', sans: ['www.good.test', 'good.test'] });
  dir = await mkdtemp(join(tmpdir(), 'certcheck-chain-file-'));
  caFile = await pemFile('root.pem', pki.root.pem);
  fullchain = await pemFile('fullchain.pem', leaf.pem, pki.intermediate.pem);
  http = await startHttpServer();
});

afterAll(async () => {
  await http.close();
});

describe('certcheck --chain-file', () => {
  it('checks a good fullchain.pem for --name without connecting: the contract report, tls null, resumption skipped, exit 0', async () => {
    const { code, report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', fullchain, '--name', 'good.test']);

    expect(code).toBe(0);
    expect(r).toMatchObject({
      schemaVersion: 1,
      status: 'ok',
      target: { host: 'good.test', port: 443, servername: 'good.test', address: null },
      tls: null,
      leaf: { subject: 'CN=www.good.test', subjectAltNames: ['www.good.test', 'good.test'] },
      chain: { trusted: true },
      resumption: { sessionId: 'skipped', ticket: 'skipped', tls13: 'skipped' },
      findings: [],
    });
    expect(r.chain?.presented.map((c) => c.subject)).toEqual(['CN=www.good.test', 'CN=ChainFile Intermediate CA']);
    expect(r.chain?.path.map((c) => c.subject)).toEqual(['CN=www.good.test', 'CN=ChainFile Intermediate CA', 'CN=ChainFile Root CA']);
  });

  it('reports HOSTNAME_MISMATCH when the leaf does not cover --name, exit 2', async () => {
    const { code, report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', fullchain, '--name', 'other.test']);

    expect(code).toBe(2);
    expect(codes(r)).toEqual(['HOSTNAME_MISMATCH']);
    expect(r.target.host).toBe('other.test');
  });

  it('checks an IP address given as --name against the IP SANs, and sends no servername', async () => {
    const ipLeaf = await pki.leaf({ cn: 'ip.test', sans: ['192.0.2.7', '2001:db8::7'] });
    const file = await pemFile('ip.pem', ipLeaf.pem, pki.intermediate.pem);

    const v4 = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', '192.0.2.7']);
    const v6 = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', '[2001:db8::7]']);
    const wrong = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', '192.0.2.8']);

    expect([v4.code, v6.code, wrong.code]).toEqual([0, 0, 2]);
    expect(v4.report.target).toEqual({ host: '192.0.2.7', port: 443, servername: null, address: null, protocol: 'https' });
    expect(v6.report.target.host).toBe('2001:db8::7');
    expect(codes(wrong.report)).toEqual(['HOSTNAME_MISMATCH']);
  });

  it('checks no host name without --name, naming the report after the leaf\'s first DNS name', async () => {
    const named = await pki.leaf({ cn: 'Good Server', sans: ['api.good.test', 'good.test'] });
    const file = await pemFile('named.pem', named.pem, pki.intermediate.pem);
    const { code, report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file]);

    expect(code).toBe(0);
    expect(r.target).toEqual({ host: 'api.good.test', port: 443, servername: 'api.good.test', address: null, protocol: 'https' });
    expect(r.findings).toEqual([]);
  });

  it('names the report after the leaf\'s CN when it has no DNS name, and passes no name to check', async () => {
    // A leaf whose only SAN is an IP: checked against a name, it would be a HOSTNAME_MISMATCH.
    const cnLeaf = await pki.leaf({ cn: 'cn-only.test', sans: ['192.0.2.9'] });
    const { code, report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', await pemFile('cn.pem', cnLeaf.pem, pki.intermediate.pem)]);

    expect(code).toBe(0);
    expect(r.target.host).toBe('cn-only.test');
    expect(r.findings).toEqual([]);
  });

  it('names the report "chain-file" when the leaf has neither a DNS name nor a CN', async () => {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const anonymous = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'O=No Common Name',
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 90 * DAY),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const { report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', await pemFile('anonymous.pem', anonymous.toString('pem'))]);

    expect(r.target.host).toBe('chain-file');
    expect(r.leaf?.subject).toBe('O=No Common Name');
  });

  it('keeps trusting the Mozilla roots with --add-ca-file, which --ca-file replaces', async () => {
    // A Mozilla root as the whole chain: trusted exactly when the Mozilla roots are.
    const mozillaRoot = rootCertificates.find((pem) => Date.parse(new X509Certificate(pem).validTo) > Date.now() + 365 * DAY);
    const file = await pemFile('mozilla-root.pem', mozillaRoot ?? '');

    const added = await report(['--add-ca-file', caFile, '--no-revocation', '--chain-file', file]);
    const replaced = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file]);
    const ours = await report(['--add-ca-file', caFile, '--no-revocation', '--chain-file', fullchain]);

    expect(added.report.chain?.trusted).toBe(true);
    expect(replaced.report.chain?.trusted).toBe(false);
    expect(ours.report.chain?.trusted).toBe(true);
    expect(ours.code).toBe(0);
  });

  it('runs the same checks as for a connection: a missing intermediate, an out-of-order chain', async () => {
    const leafOnly = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', await pemFile('leaf.pem', leaf.pem), '--name', 'good.test']);
    const reversed = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', await pemFile('reversed.pem', pki.intermediate.pem, leaf.pem)]);

    expect(leafOnly.code).toBe(2);
    expect(codes(leafOnly.report)).toEqual(['INCOMPLETE_CHAIN']);
    expect(leafOnly.report.leaf?.subject).toBe('CN=www.good.test');
    // "Leaf first, as a server would send it": the first certificate is the one judged.
    expect(reversed.report.leaf?.subject).toBe('CN=ChainFile Intermediate CA');
    expect(reversed.code).toBe(2);
  });

  it('skips what is not a certificate in the file, such as a private key put in with it', async () => {
    const { code, report: r } = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', await pemFile('with-key.pem', leaf.keyPem, leaf.pem, pki.intermediate.pem), '--name', 'good.test']);

    expect(code).toBe(0);
    expect(r.chain?.presented).toHaveLength(2);
  });

  it('prints the table for people: the target without an address, no TLS, resumption "-"', async () => {
    const { code, stdout } = await run(['--ca-file', caFile, '--no-revocation', '--chain-file', fullchain, '--name', 'good.test']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^STATUS\s+TARGET\s+EXPIRES\s+TLS\s+RESUMES\s+ISSUER\nok\s+good\.test:443\s+\d+\.\dd\s+-\s+-\s+CN=ChainFile Intermediate CA\n$/);
  });

  it('looks up revocation as usual, and not with --no-revocation', async () => {
    const revoked = await pki.leaf({ cn: 'revoked.test', crlUrl: http.url('/chain-file.crl') });
    http.serve('/chain-file.crl', await issueCrl(pki.intermediate, [{ serial: serialOf(revoked), reason: 1 }]));
    const file = await pemFile('revoked.pem', revoked.pem, pki.intermediate.pem);

    const looked = await report(['--ca-file', caFile, '--chain-file', file, '--name', 'revoked.test']);
    const hits = http.hits.get('/chain-file.crl');
    const skipped = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', 'revoked.test']);

    expect(looked.code).toBe(2);
    expect(codes(looked.report)).toEqual(['REVOKED']);
    expect(looked.report.revocation).toMatchObject({ status: 'revoked', method: 'crl', reason: 'keyCompromise' });
    expect(hits).toBe(1);
    expect(skipped.code).toBe(0);
    expect(http.hits.get('/chain-file.crl')).toBe(1);
    expect(skipped.report.revocation.status).not.toBe('revoked');
  });

  it('judges the file as of --at: expiring soon before the leaf\'s end, expired after it', async () => {
    const ending = await pki.leaf({ cn: 'example.com', notBefore: new Date('2026-06-01T00:00:00Z'), notAfter: new Date('2026-12-30T00:00:00Z') });
    const file = await pemFile('ending.pem', ending.pem, pki.intermediate.pem);
    const args = ['--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', 'example.com'];

    const before = await report([...args, '--at', '2026-12-20T00:00:00Z']);
    const after = await report([...args, '--at', '2027-01-01T00:00:00Z']);
    const ahead = await report([...args, '--at', '2026-05-01T00:00:00+02:00']);

    expect([before.code, after.code, ahead.code]).toEqual([1, 2, 2]);
    expect(before.report.findings).toEqual([{ code: 'EXPIRES_SOON', severity: 'warning', message: 'certificate expires in 10 days (2026-12-30)' }]);
    expect(before.report.leaf?.daysRemaining).toBe(10);
    expect(codes(after.report)).toEqual(['EXPIRED']);
    // The intermediate, made today, is not valid yet either: CHAIN_INVALID names it.
    expect(codes(ahead.report)).toContain('NOT_YET_VALID');
  });

  it('runs the issue\'s example as the built bin: certcheck --chain-file fullchain.pem --name example.com --at 2027-01-01T00:00:00Z', async () => {
    const ending = await pki.leaf({ cn: 'example.com', notBefore: new Date('2026-06-01T00:00:00Z'), notAfter: new Date('2026-12-30T00:00:00Z') });
    const file = await pemFile('example-fullchain.pem', ending.pem, pki.intermediate.pem);
    const bin = join(__dirname, '..', 'dist', 'handlers', 'cli.js');

    const failed = await promisify(execFile)(process.execPath, [bin, '--ca-file', caFile, '--no-revocation', '--chain-file', file, '--name', 'example.com', '--at', '2027-01-01T00:00:00Z']).then(
      () => null,
      (err: { code: number; stdout: string; stderr: string }) => err,
    );

    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toBe('');
    expect(failed?.stdout).toMatch(/^critical\s+example\.com:443\s+-2\.0d\s+-\s+-\s+CN=ChainFile Intermediate CA\n\s+EXPIRED {2}certificate expired/m);
  });

  it('reports an internal error as CHECK_FAILED, exit 3, with its stack as one line on stderr and not in the report', async () => {
    const broken = jest.spyOn(TrustStore.prototype, 'withSubject').mockImplementation(() => {
      throw new Error('the store broke');
    });
    let result: Awaited<ReturnType<typeof report>>;
    try {
      result = await report(['--ca-file', caFile, '--no-revocation', '--chain-file', fullchain, '--name', 'good.test']);
    } finally {
      broken.mockRestore();
    }

    expect(result.code).toBe(3);
    expect(result.report.findings).toEqual([{ code: 'CHECK_FAILED', severity: 'unknown', message: 'the check failed: the store broke' }]);
    expect(result.stderr).toMatch(/^certcheck: internal error checking good\.test:443: Error: the store broke \| at .+\n$/);
    expect(JSON.stringify(result.report)).not.toContain(' at ');
  });

  describe('--key-file', () => {
    let rsaLeaf: Issued;
    let rsaChain: string;

    beforeAll(async () => {
      rsaLeaf = await pki.leaf({ cn: 'rsa.good.test', key: { type: 'rsa', bits: 2048 } });
      rsaChain = await pemFile('rsa-fullchain.pem', rsaLeaf.pem, pki.intermediate.pem);
    });

    const withKey = (chain: string, key: string) => report(['--ca-file', caFile, '--no-revocation', '--chain-file', chain, '--key-file', key]);

    it('finds nothing when the EC private key belongs to the leaf, in PKCS#8 or SEC1', async () => {
      const pkcs8 = await withKey(fullchain, await pemFile('ec-key.pem', leaf.keyPem));
      const sec1 = await withKey(fullchain, await pemFile('ec-sec1-key.pem', leaf.key.privateKey.export({ type: 'sec1', format: 'pem' }).toString()));

      expect([pkcs8.code, sec1.code]).toEqual([0, 0]);
      expect(pkcs8.report.findings).toEqual([]);
      expect(sec1.report.findings).toEqual([]);
    });

    it('finds nothing when the RSA private key belongs to the leaf, in PKCS#8 or PKCS#1', async () => {
      const pkcs8 = await withKey(rsaChain, await pemFile('rsa-key.pem', rsaLeaf.keyPem));
      const pkcs1 = await withKey(rsaChain, await pemFile('rsa-pkcs1-key.pem', rsaLeaf.key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()));

      expect([pkcs8.code, pkcs1.code]).toEqual([0, 0]);
      expect(pkcs8.report.findings).toEqual([]);
      expect(pkcs1.report.findings).toEqual([]);
    });

    it('reports KEY_MISMATCH, critical, for another EC key', async () => {
      const keyFile = await pemFile('other-ec-key.pem', pki.intermediate.keyPem);
      const { code, report: r } = await withKey(fullchain, keyFile);

      expect(code).toBe(2);
      expect(r.status).toBe('critical');
      expect(r.findings).toEqual([
        { code: 'KEY_MISMATCH', severity: 'critical', message: `the private key in ${keyFile} does not belong to the certificate "CN=www.good.test" (its public key differs)` },
      ]);
    });

    it('reports KEY_MISMATCH for another RSA key, and for a key of the other type', async () => {
      const otherRsa = await pki.leaf({ cn: 'other-rsa.test', key: { type: 'rsa', bits: 2048 } });
      const rsaForRsa = await withKey(rsaChain, await pemFile('other-rsa-key.pem', otherRsa.keyPem));
      const ecForRsa = await withKey(rsaChain, await pemFile('ec-for-rsa-key.pem', leaf.keyPem));
      const rsaForEc = await withKey(fullchain, await pemFile('rsa-for-ec-key.pem', rsaLeaf.keyPem));

      for (const { code, report: r } of [rsaForRsa, ecForRsa, rsaForEc]) {
        expect(code).toBe(2);
        expect(r.findings.map((f) => f.code)).toEqual(['KEY_MISMATCH']);
      }
      expect(rsaForRsa.report.findings[0].message).toContain('"CN=rsa.good.test"');
    });

    it('reads the key from a file that also holds the certificate, as some servers want it', async () => {
      const { code, report: r } = await withKey(fullchain, await pemFile('combined.pem', leaf.pem, pki.intermediate.pem, leaf.keyPem));

      expect(code).toBe(0);
      expect(r.findings).toEqual([]);
    });

    it('shows KEY_MISMATCH under the file in the table', async () => {
      const { code, stdout } = await run(['--ca-file', caFile, '--no-revocation', '--chain-file', fullchain, '--name', 'good.test', '--key-file', await pemFile('table-key.pem', rsaLeaf.keyPem)]);

      expect(code).toBe(2);
      expect(stdout).toMatch(/\ncritical\s+good\.test:443 .*\n\s+KEY_MISMATCH {2}the private key in .*table-key\.pem does not belong to the certificate "CN=www\.good\.test" \(its public key differs\)\n$/);
    });

    it.each([
      ['a file that cannot be read', () => '/nonexistent/key.pem', /^certcheck: cannot read key file \/nonexistent\/key\.pem: ENOENT/],
      ['an encrypted PKCS#8 key', () => pemFile('enc-key.pem', leaf.key.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString()), /^certcheck: key file .*enc-key\.pem holds an encrypted private key; certcheck reads unencrypted keys/],
      ['an encrypted PKCS#1 key', () => pemFile('enc-rsa-key.pem', rsaLeaf.key.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' }).toString()), /holds an encrypted private key/],
      ['a certificate only', () => pemFile('no-key.pem', leaf.pem), /^certcheck: key file .*no-key\.pem holds no private key that can be read \(PEM: PKCS#8, PKCS#1 or SEC1\)/],
      ['a public key', () => pemFile('public-key.pem', leaf.cert.publicKey.export({ type: 'spki', format: 'pem' }).toString()), /holds no private key that can be read/],
      ['a garbled key', () => pemFile('garbled-key.pem', '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n'), /holds no private key that can be read/],
    ])('refuses --key-file with %s: one line, exit 64', async (_what, file, message) => {
      const { code, stdout, stderr } = await run(['--ca-file', caFile, '--chain-file', fullchain, '--key-file', await file()]);

      expect(code).toBe(64);
      expect(stderr).toMatch(message);
      expect(stderr.split('\n')).toHaveLength(2);
      expect(stdout).toBe('');
    });

    it('refuses --key-file without --chain-file', async () => {
      const { code, stderr } = await run(['--key-file', await pemFile('lone-key.pem', leaf.keyPem), 'good.test']);

      expect(code).toBe(64);
      expect(stderr).toBe("certcheck: --key-file applies only with --chain-file (a connection cannot see the server's private key)\n");
    });
  });

  it.each([
    [['--chain-file', '/nonexistent/fullchain.pem'], /^certcheck: cannot read chain file \/nonexistent\/fullchain\.pem: ENOENT/],
    [['--chain-file', 'KEY_ONLY'], /^certcheck: chain file .*key-only\.pem holds no PEM certificate/],
    [['--chain-file', 'GARBLED'], /^certcheck: certificate 2 of 2 in chain file .*garbled\.pem cannot be parsed: /],
    [['--chain-file', 'FULLCHAIN', 'good.test'], /^certcheck: --chain-file checks a file without connecting: leave out the target "good\.test" \(--name good\.test checks the file for that name\)\n$/],
    [['--chain-file', 'FULLCHAIN', '--targets-file', 'FULLCHAIN'], /^certcheck: --targets-file cannot be used with --chain-file, which checks a file without connecting or storing\n$/],
    [['--chain-file', 'FULLCHAIN', '--resolve', 'good.test:443:127.0.0.1'], /^certcheck: --resolve cannot be used with --chain-file/],
    [['--chain-file', 'FULLCHAIN', '--all-addresses'], /^certcheck: --all-addresses cannot be used with --chain-file/],
    [['--chain-file', 'FULLCHAIN', '--out', '/tmp/x'], /^certcheck: --out cannot be used with --chain-file/],
    [['--name', 'good.test', 'good.test'], /^certcheck: --name applies only with --chain-file \(a connection checks the target's own name\)\n$/],
    [['--chain-file', 'FULLCHAIN', '--name', 'good.test:8443'], /^certcheck: --name takes a host name or an IP address, without port or scheme, not "good\.test:8443"\n$/],
    [['--chain-file', 'FULLCHAIN', '--name', 'https://good.test'], /^certcheck: --name takes a host name or an IP address/],
    [['--chain-file', 'FULLCHAIN', '--name', 'not a name'], /^certcheck: --name "not a name" is not a valid host name or IP address\n$/],
    [['--chain-file', 'FULLCHAIN', '--at', '2027-01-01'], /^certcheck: --at needs an ISO 8601 date-time/],
    [['--chain-file'], /^certcheck: --chain-file needs a value \(see certcheck --help\)$/m],
  ])('refuses %j with one line on stderr and exit 64, checking nothing', async (args, message) => {
    const files: Record<string, string> = {
      FULLCHAIN: fullchain,
      KEY_ONLY: await pemFile('key-only.pem', leaf.keyPem),
      GARBLED: await pemFile('garbled.pem', leaf.pem, '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n'),
    };
    const { code, stdout, stderr } = await run(['--ca-file', caFile, ...args.map((a) => files[a] ?? a)]);

    expect(code).toBe(64);
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stdout).toBe('');
  });
});
