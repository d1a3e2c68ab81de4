/**
 * Revocation against real responders on 127.0.0.1: `openssl ocsp` with an index of good and
 * revoked certificates, TLS servers that staple, and an HTTP server for CRLs and issuer
 * certificates that counts what it is asked.
 */
import type { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../handlers/cli';
import { ocspRequest } from '../lib/revocation/ocsp';
import { httpFetch, type Fetch } from '../lib/revocation/http-fetch';
import { checkLocal, codes } from './fixtures/check-local';
import { startHttpServer, type RunningHttpServer } from './fixtures/http-server';
import { startOcspResponder, type RunningResponder } from './fixtures/ocsp-responder';
import { DAY, EKU_OCSP_SIGNING, EKU_SERVER_AUTH, hierarchy, issue, issueCrl, serialOf, type Hierarchy, type Issued } from './fixtures/pki';
import { closedPort, startTlsServer, type RunningServer } from './fixtures/tls-server';

let pki: Hierarchy;
let http: RunningHttpServer;
let responderPort: number;
let responder: RunningResponder;
let ocspUrl: string;
const certs: Record<string, Issued> = {};
const running: RunningServer[] = [];

/** Fetches the responder's answer about `cert`, to staple it. */
async function responseAbout(url: string, cert: X509Certificate, issuer: X509Certificate): Promise<Buffer> {
  const request = Buffer.from(ocspRequest(cert, issuer)).toString('base64');
  return httpFetch(`${url}/${encodeURIComponent(request)}`, { timeoutMs: 3000, maxBytes: 65536, lookup: () => Promise.reject(new Error('no look-up')) });
}

async function serve(leaf: Issued, opts: { staple?: Buffer; withIntermediate?: boolean; host?: '127.0.0.1' | '::1' } = {}): Promise<number> {
  const server = await startTlsServer({ chain: opts.withIntermediate === false ? [leaf] : [leaf, pki.intermediate], staple: opts.staple, host: opts.host });
  running.push(server);
  return server.port;
}

function check(name: string, port: number, opts: Parameters<typeof checkLocal>[2] = {}) {
  return checkLocal(name, port, { roots: [pki.root], resumption: false, ...opts });
}

beforeAll(async () => {
  http = await startHttpServer();
  responderPort = await closedPort();
  ocspUrl = `http://127.0.0.1:${responderPort}`;
  pki = await hierarchy('Revocation');
  certs.good = await pki.leaf({ cn: 'good.test', ocspUrl });
  certs.revoked = await pki.leaf({ cn: 'revoked.test', ocspUrl });
  certs.other = await pki.leaf({ cn: 'other.test', ocspUrl });
  certs.mustStaple = await pki.leaf({ cn: 'must-staple.test', ocspUrl, mustStaple: true });
  certs.cached = await pki.leaf({ cn: 'cached.test', ocspUrl });
  responder = await startOcspResponder({
    ca: pki.intermediate,
    port: responderPort,
    good: [certs.good, certs.other, certs.mustStaple, certs.cached],
    revoked: [{ cert: certs.revoked, reason: 'keyCompromise' }],
  });
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
  await responder.close();
  await http.close();
});

describe('OCSP fetched from the responder the certificate names', () => {
  it('says good, method ocsp, with the next update', async () => {
    const report = await check('good.test', await serve(certs.good));

    expect(report.revocation).toEqual({ status: 'good', method: 'ocsp', revokedAt: null, reason: null, nextUpdate: expect.any(String) });
    expect(report.status).toBe('ok');
  });

  it('reports REVOKED with the date and reason', async () => {
    const report = await check('revoked.test', await serve(certs.revoked));

    expect(report.revocation).toMatchObject({ status: 'revoked', method: 'ocsp', reason: 'keyCompromise', revokedAt: expect.any(String) });
    expect(report.findings).toEqual([
      { code: 'REVOKED', severity: 'critical', message: expect.stringMatching(/^the certificate "CN=revoked.test" was revoked on \d{4}-\d\d-\d\d \(keyCompromise\), says its OCSP responder$/) },
    ]);
    expect(report.status).toBe('critical');
  });

  it('judges a cached answer again at the time of each check: past its nextUpdate it is no longer good', async () => {
    const asked: string[] = [];
    const counting: Fetch = (url, opts) => {
      asked.push(url);
      return httpFetch(url, opts);
    };
    const port = await serve(certs.cached);
    // The responder's answers are good for an hour (and cached until then).
    const later = new Date(Date.now() + 2 * 3600_000);

    const now = await check('cached.test', port, { fetch: counting });
    const afterNextUpdate = await check('cached.test', port, { fetch: counting, now: () => later });

    expect(now.revocation).toMatchObject({ status: 'good', method: 'ocsp' });
    expect(asked).toHaveLength(1); // the second check took the cached answer
    expect(afterNextUpdate.revocation.status).toBe('unknown');
    expect(afterNextUpdate.findings).toEqual([{ code: 'REVOCATION_UNKNOWN', severity: 'info', message: expect.stringMatching(/the response expired at/) }]);
  });

  it('soft-fails when the responder is down: unknown, REVOCATION_UNKNOWN as info, status ok', async () => {
    const leaf = await pki.leaf({ cn: 'down.test', ocspUrl: `http://127.0.0.1:${await closedPort()}` });

    const report = await check('down.test', await serve(leaf));

    expect(report.revocation).toMatchObject({ status: 'unknown', method: 'none' });
    expect(report.findings).toEqual([{ code: 'REVOCATION_UNKNOWN', severity: 'info', message: expect.stringContaining('ECONNREFUSED') }]);
    expect(report.status).toBe('ok');
  });

  it('is unknown without a finding for a certificate that names neither OCSP nor CRL', async () => {
    const leaf = await pki.leaf({ cn: 'plain.test' });

    const report = await check('plain.test', await serve(leaf));

    expect(report.revocation).toEqual({ status: 'unknown', method: 'none', revokedAt: null, reason: null, nextUpdate: null });
    expect(report.findings).toEqual([]);
  });

  it('refuses a responder address the guard refuses, without a request', async () => {
    const hitsBefore = http.hits.get('/guarded.crl') ?? 0;
    const leaf = await pki.leaf({ cn: 'guarded.test', sans: ['guarded.test', '::1'], crlUrl: http.url('/guarded.crl') });
    const port = await serve(leaf, { host: '::1' });

    // The target is on ::1; the guard refuses IPv4 loopback, where the CRL is.
    const report = await check('[::1]', port, { addressPolicy: (a) => (a.startsWith('127.') ? 'loopback' : null) });

    expect(report.revocation.status).toBe('unknown');
    expect(report.findings.map((f) => f.message).join()).toContain('refused to fetch from 127.0.0.1 (loopback)');
    expect(http.hits.get('/guarded.crl') ?? 0).toBe(hitsBefore);
  });
});

describe('a hostile certificate', () => {
  it('with malformed CRL and TLS-feature extensions reads as naming none, and the report stands', async () => {
    const truncated = new Uint8Array([0x30, 0x06, 0xa0, 0x04, 0xa0, 0x09, 0x86, 0x01]);
    const leaf = await pki.leaf({ cn: 'hostile.test', rawExtensions: [['2.5.29.31', truncated], ['1.3.6.1.5.5.7.1.24', truncated]] });

    const report = await check('hostile.test', await serve(leaf));

    // OpenSSL, too, will not chain a certificate whose extensions do not parse; what matters
    // here is that the report stands, with no look-up crash.
    expect(codes(report)).not.toContain('CHECK_FAILED');
    expect(report.leaf?.subject).toBe('CN=hostile.test');
    expect(report.revocation).toMatchObject({ status: 'unknown', method: 'none' });
  });
});

describe('stapled OCSP', () => {
  it('counts a valid staple (method ocsp-stapled)', async () => {
    const staple = await responseAbout(responder.url, certs.good.cert, pki.intermediate.cert);

    const report = await check('good.test', await serve(certs.good, { staple }));

    expect(report.revocation).toMatchObject({ status: 'good', method: 'ocsp-stapled' });
    expect(report.findings).toEqual([]);
  });

  it('reports REVOKED from a staple', async () => {
    const staple = await responseAbout(responder.url, certs.revoked.cert, pki.intermediate.cert);

    const report = await check('revoked.test', await serve(certs.revoked, { staple }));

    expect(report.revocation).toMatchObject({ status: 'revoked', method: 'ocsp-stapled', reason: 'keyCompromise' });
    expect(codes(report)).toEqual(['REVOKED']);
    expect(report.findings[0].message).toContain('says the stapled OCSP response');
  });

  it('refuses a staple about another certificate, and asks the responder instead', async () => {
    const staple = await responseAbout(responder.url, certs.other.cert, pki.intermediate.cert);

    const report = await check('good.test', await serve(certs.good, { staple }));

    expect(report.findings).toEqual([{ code: 'STAPLE_INVALID', severity: 'warning', message: expect.stringContaining('not about this certificate') }]);
    expect(report.revocation).toMatchObject({ status: 'good', method: 'ocsp' });
  });

  it('refuses a staple signed by a responder the issuer did not authorise', async () => {
    const stranger = await issue({ cn: 'Stranger OCSP', eku: [EKU_OCSP_SIGNING] });
    const rogue = await startOcspResponder({ ca: pki.intermediate, signer: stranger, good: [certs.good] });
    try {
      const staple = await responseAbout(rogue.url, certs.good.cert, pki.intermediate.cert);

      const report = await check('good.test', await serve(certs.good, { staple }));

      expect(report.findings).toEqual([{ code: 'STAPLE_INVALID', severity: 'warning', message: expect.stringContaining('was not issued by the certificate\'s issuer') }]);
    } finally {
      await rogue.close();
    }
  });

  it('accepts a staple from a delegated responder the issuer signed for OCSP signing', async () => {
    const delegated = await pki.leaf({ cn: 'Delegated OCSP', sans: [], eku: [EKU_OCSP_SIGNING] });
    const signer = await startOcspResponder({ ca: pki.intermediate, signer: delegated, good: [certs.good] });
    try {
      const staple = await responseAbout(signer.url, certs.good.cert, pki.intermediate.cert);

      const report = await check('good.test', await serve(certs.good, { staple }));

      expect(report.revocation).toMatchObject({ status: 'good', method: 'ocsp-stapled' });
    } finally {
      await signer.close();
    }
  });

  it.each([
    ['no extended key usage', null],
    ['serverAuth only', [EKU_SERVER_AUTH]],
  ])('refuses a staple from a delegated responder the issuer signed with %s (not id-kp-OCSPSigning)', async (_what, eku) => {
    const delegated = await pki.leaf({ cn: 'Not An OCSP Signer', sans: [], eku });
    const signer = await startOcspResponder({ ca: pki.intermediate, signer: delegated, good: [certs.good] });
    try {
      const staple = await responseAbout(signer.url, certs.good.cert, pki.intermediate.cert);

      const report = await check('good.test', await serve(certs.good, { staple }));

      expect(report.findings).toEqual([{ code: 'STAPLE_INVALID', severity: 'warning', message: expect.stringContaining('"CN=Not An OCSP Signer" is not for OCSP signing') }]);
      expect(report.revocation).toMatchObject({ status: 'good', method: 'ocsp' });
    } finally {
      await signer.close();
    }
  });

  it('refuses a staple whose CertID has the issuer\'s name but another key\'s hash, though the issuer signed it', async () => {
    // A CA of the same name with another key: the responder answers for it (CertIDs with its
    // key hash), and signs with the real issuer's key.
    const twin = await issue({ cn: 'Revocation Intermediate CA', ca: true, issuer: pki.root });
    const signer = await startOcspResponder({ ca: twin, signer: pki.intermediate, good: [certs.good] });
    try {
      const staple = await responseAbout(signer.url, certs.good.cert, twin.cert);

      const report = await check('good.test', await serve(certs.good, { staple }));

      expect(report.findings).toEqual([{ code: 'STAPLE_INVALID', severity: 'warning', message: expect.stringContaining('not about this certificate') }]);
      expect(report.revocation).toMatchObject({ status: 'good', method: 'ocsp' });
    } finally {
      await signer.close();
    }
  });

  it('refuses a staple dated more than the 5-minute clock skew after the check\'s time, and takes one within it', async () => {
    const staple = await responseAbout(responder.url, certs.good.cert, pki.intermediate.cert);
    const port = await serve(certs.good, { staple });

    // The responder dates its answers now: 10 minutes ahead of the first check, 2 of the second.
    const early = await check('good.test', port, { now: () => new Date(Date.now() - 10 * 60_000) });
    const withinSkew = await check('good.test', port, { now: () => new Date(Date.now() - 2 * 60_000) });

    expect(early.findings.find((f) => f.code === 'STAPLE_INVALID')?.message).toMatch(/the response is dated in the future/);
    expect(early.revocation.status).toBe('unknown');
    expect(withinSkew.findings).toEqual([]);
    expect(withinSkew.revocation).toMatchObject({ status: 'good', method: 'ocsp-stapled' });
  });

  it('refuses a staple past its nextUpdate', async () => {
    const staple = await responseAbout(responder.url, certs.good.cert, pki.intermediate.cert);
    const later = new Date(Date.now() + 3 * 3600_000);

    const report = await check('good.test', await serve(certs.good, { staple }), { now: () => later });

    expect(report.findings.find((f) => f.code === 'STAPLE_INVALID')?.message).toMatch(/the response expired at/);
  });

  it('reports MUST_STAPLE_MISSING when a must-staple certificate comes without a staple', async () => {
    const report = await check('must-staple.test', await serve(certs.mustStaple));

    expect(codes(report)).toEqual(['MUST_STAPLE_MISSING']);
    expect(report.status).toBe('critical');
  });

  it('reports MUST_STAPLE_MISSING, besides STAPLE_INVALID, when a must-staple certificate comes with a staple that does not verify', async () => {
    const staple = await responseAbout(responder.url, certs.other.cert, pki.intermediate.cert);

    const report = await check('must-staple.test', await serve(certs.mustStaple, { staple }));

    expect(codes(report)).toEqual(['MUST_STAPLE_MISSING', 'STAPLE_INVALID']);
    expect(report.findings.find((f) => f.code === 'MUST_STAPLE_MISSING')?.message).toContain('the server sent no valid OCSP response');
    expect(report.status).toBe('critical');
  });

  it('is satisfied when a must-staple certificate comes with a valid staple', async () => {
    const staple = await responseAbout(responder.url, certs.mustStaple.cert, pki.intermediate.cert);

    const report = await check('must-staple.test', await serve(certs.mustStaple, { staple }));

    expect(report.findings).toEqual([]);
  });
});

describe('CRLs', () => {
  it('says good or revoked from the CRL the certificate names', async () => {
    const fine = await pki.leaf({ cn: 'crl-good.test', crlUrl: http.url('/a.crl') });
    const gone = await pki.leaf({ cn: 'crl-revoked.test', crlUrl: http.url('/a.crl') });
    http.serve('/a.crl', await issueCrl(pki.intermediate, [{ serial: serialOf(gone), reason: 4 }]));

    const good = await check('crl-good.test', await serve(fine));
    const revoked = await check('crl-revoked.test', await serve(gone));

    expect(good.revocation).toMatchObject({ status: 'good', method: 'crl', nextUpdate: expect.any(String) });
    expect(revoked.revocation).toMatchObject({ status: 'revoked', method: 'crl', reason: 'superseded' });
    expect(revoked.findings[0]).toMatchObject({ code: 'REVOKED', message: expect.stringContaining('says its CRL') });
  });

  it('refuses a CRL past its nextUpdate: unknown, not good', async () => {
    const leaf = await pki.leaf({ cn: 'stale-crl.test', crlUrl: http.url('/stale.crl') });
    http.serve('/stale.crl', await issueCrl(pki.intermediate, [], { thisUpdate: new Date(Date.now() - 8 * DAY), nextUpdate: new Date(Date.now() - 3600_000) }));

    const report = await check('stale-crl.test', await serve(leaf));

    expect(report.revocation).toMatchObject({ status: 'unknown', method: 'none' });
    expect(report.findings).toEqual([{ code: 'REVOCATION_UNKNOWN', severity: 'info', message: expect.stringMatching(/the CRL expired at/) }]);
  });

  it('fetches a CRL once for every certificate that names it (the cache)', async () => {
    const leaves = await Promise.all(['one', 'two', 'three'].map((n) => pki.leaf({ cn: `${n}.cached.test`, crlUrl: http.url('/cached.crl') })));
    http.serve('/cached.crl', await issueCrl(pki.intermediate, []));

    for (const leaf of leaves) {
      expect((await check(leaf.cn, await serve(leaf))).revocation.status).toBe('good');
    }

    expect(http.hits.get('/cached.crl')).toBe(1);
  });

  it('refuses a CRL over the size limit, as unknown', async () => {
    const leaf = await pki.leaf({ cn: 'big-crl.test', crlUrl: http.url('/big.crl') });
    http.serve('/big.crl', await issueCrl(pki.intermediate, [], { padding: 500 }));

    const report = await check('big-crl.test', await serve(leaf), { maxCrlBytes: 10_000 });

    expect(report.revocation.status).toBe('unknown');
    expect(report.findings).toEqual([{ code: 'REVOCATION_UNKNOWN', severity: 'info', message: expect.stringMatching(/over the limit of 10000|more than the limit of 10000/) }]);
  });

  it('refuses a CRL that another CA signed', async () => {
    const leaf = await pki.leaf({ cn: 'forged-crl.test', crlUrl: http.url('/forged.crl') });
    const other = await hierarchy('Forger');
    http.serve('/forged.crl', await issueCrl(other.intermediate, [{ serial: serialOf(leaf) }]));

    const report = await check('forged-crl.test', await serve(leaf));

    expect(report.revocation.status).toBe('unknown');
    expect(report.findings[0].message).toMatch(/not from the certificate's issuer|does not verify/);
  });

  it('finds a revoked intermediate on its own CRL', async () => {
    const revokedPki = await hierarchy('Revoked Intermediate', { intermediate: { crlUrl: http.url('/root.crl') } });
    http.serve('/root.crl', await issueCrl(revokedPki.root, [{ serial: serialOf(revokedPki.intermediate), reason: 2 }]));
    const leaf = await revokedPki.leaf({ cn: 'under-revoked.test' });
    const server = await startTlsServer({ chain: [leaf, revokedPki.intermediate] });
    running.push(server);

    const report = await checkLocal('under-revoked.test', server.port, { roots: [revokedPki.root], resumption: false });

    expect(report.revocation).toMatchObject({ status: 'revoked', method: 'crl', reason: 'cACompromise' });
    expect(report.findings).toEqual([
      { code: 'REVOKED', severity: 'critical', message: expect.stringContaining('the intermediate "CN=Revoked Intermediate Intermediate CA" was revoked') },
    ]);
  });
});

describe('--no-revocation', () => {
  it('makes no look-up: not-checked', async () => {
    const leaf = await pki.leaf({ cn: 'skipped.test', crlUrl: http.url('/skipped.crl') });
    http.serve('/skipped.crl', await issueCrl(pki.intermediate, [{ serial: serialOf(leaf) }]));

    const report = await check('skipped.test', await serve(leaf), { revocation: false });

    expect(report.revocation.status).toBe('not-checked');
    expect(http.hits.get('/skipped.crl')).toBeUndefined();
  });

  it('still reads a staple', async () => {
    const staple = await responseAbout(responder.url, certs.revoked.cert, pki.intermediate.cert);

    const report = await check('revoked.test', await serve(certs.revoked, { staple }), { revocation: false });

    expect(report.revocation).toMatchObject({ status: 'revoked', method: 'ocsp-stapled' });
  });

  it('reports the leaf as not checked, and no finding', async () => {
    const report = await check('good.test', await serve(certs.good), { revocation: false });

    expect(report.revocation).toEqual({ status: 'not-checked', method: 'none', revokedAt: null, reason: null, nextUpdate: null });
    expect(report.findings).toEqual([]);
  });

  it('still says MUST_STAPLE_MISSING for a must-staple certificate without a staple', async () => {
    const report = await check('must-staple.test', await serve(certs.mustStaple), { revocation: false });

    expect(report.findings.map((f) => f.code)).toContain('MUST_STAPLE_MISSING');
  });

  it('still fetches a missing intermediate by AIA', async () => {
    http.serve('/intermediate-no-rev.der', pki.intermediate.cert.raw);
    const leaf = await pki.leaf({ cn: 'aia-no-rev.test', caIssuersUrl: http.url('/intermediate-no-rev.der') });

    const report = await check('aia-no-rev.test', await serve(leaf, { withIntermediate: false }), { revocation: false });

    expect(http.hits.get('/intermediate-no-rev.der')).toBe(1);
    expect(report.findings[0].message).toContain('clients that fetch it by AIA will connect');
  });
});

describe('a missing intermediate fetched by AIA', () => {
  it('says in INCOMPLETE_CHAIN that AIA-fetching clients will connect', async () => {
    http.serve('/intermediate.der', pki.intermediate.cert.raw);
    const leaf = await pki.leaf({ cn: 'aia.test', caIssuersUrl: http.url('/intermediate.der') });

    const report = await check('aia.test', await serve(leaf, { withIntermediate: false }));

    expect(report.findings).toEqual([
      {
        code: 'INCOMPLETE_CHAIN',
        severity: 'critical',
        message: expect.stringContaining('the server omits "CN=Revocation Intermediate CA": clients that fetch it by AIA will connect, curl and many mobile clients will not'),
      },
    ]);
  });
});

describe('a missing intermediate published as PKCS#7', () => {
  it('is read from a certs-only bundle, as some CAs publish', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certcheck-p7-'));
    await writeFile(join(dir, 'intermediate.pem'), pki.intermediate.pem);
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'intermediate.pem'), '-outform', 'DER', '-out', join(dir, 'bundle.p7c')]);
    http.serve('/bundle.p7c', await readFile(join(dir, 'bundle.p7c')));
    const leaf = await pki.leaf({ cn: 'aia-p7.test', caIssuersUrl: http.url('/bundle.p7c') });

    const report = await check('aia-p7.test', await serve(leaf, { withIntermediate: false }));

    expect(report.findings[0].message).toContain('clients that fetch it by AIA will connect');
  });
});

describe('the CLI', () => {
  it('shows REVOKED and the method used for a revoked certificate on a local server', async () => {
    const caFile = join(await mkdtemp(join(tmpdir(), 'certcheck-rev-cli-')), 'root.pem');
    await writeFile(caFile, pki.root.pem);
    const port = await serve(certs.revoked);
    let out = '';
    const stdout = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const stderr = new Writable({ write: (_chunk, _enc, done) => done() });

    const code = await main(['--ca-file', caFile, '--no-resumption', '--resolve', `revoked.test:${port}:127.0.0.1`, `revoked.test:${port}`], { stdout, stderr, env: {} });

    expect(code).toBe(2);
    expect(out).toMatch(/REVOKED.*was revoked on .* \(keyCompromise\), says its OCSP responder/);
  });
});
