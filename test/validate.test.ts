/**
 * The path validator on its own: long chains, the bounds on what a hostile chain can cost,
 * backtracking to a clean path, and the grandfathered roots of a root programme.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { certificateProblems } from '../lib/x509/rules';
import { parsed } from '../lib/x509/parsed';
import { TrustStore } from '../lib/x509/trust-store';
import { DEFAULT_LIMITS, validateChain } from '../lib/x509/validate';
import { limboServerCases } from './fixtures/limbo';
import { DAY, generateKey, hierarchy, issue, type Issued, permitDnsOnly } from './fixtures/pki';

const now = new Date();
const store = (...roots: Issued[]) => new TrustStore(roots.map((r) => r.cert), 'test');

/** A root and 101 intermediates, each issued by the one before (built once: it takes a while). */
let ladder: Promise<{ root: Issued; cas: Issued[] }> | undefined;
function buildLadder(): Promise<{ root: Issued; cas: Issued[] }> {
  ladder ??= (async () => {
    const root = await issue({ cn: 'Ladder Root', ca: true });
    const cas: Issued[] = [];
    let issuer = root;
    for (let i = 0; i < 101; i++) {
      issuer = await issue({ cn: `Ladder CA ${i}`, ca: true, issuer });
      cas.push(issuer);
    }
    return { root, cas };
  })();
  return ladder;
}

/** A leaf under the `depth`-th CA of the ladder, sent with every CA above it (leaf first). */
async function ladderChain(depth: number): Promise<{ root: Issued; presented: X509Certificate[] }> {
  const { root, cas } = await buildLadder();
  const leaf = await issue({ cn: `depth-${depth}.test`, issuer: cas[depth - 1] });
  return { root, presented: [leaf.cert, ...cas.slice(0, depth).reverse().map((c) => c.cert)] };
}

describe('validateChain', () => {
  it('verifies a chain of 56 certificates', async () => {
    const { root, presented } = await ladderChain(55);
    const result = validateChain(presented, store(root), { at: now });
    expect({ end: result.end, length: result.path.length }).toEqual({ end: 'trusted', length: 57 });
  });

  it('stops past 100 certificates above the leaf, and says so', async () => {
    const { root, presented } = await ladderChain(101);
    const result = validateChain(presented, store(root), { at: now });
    expect(result.trusted).toBe(false);
    expect(result.problems.map((p) => p.message)).toContain('the path is longer than 100 certificates');
  });

  it('finds the real issuer first among look-alikes, by its key identifier', async () => {
    const pki = await hierarchy('Decoy');
    const leaf = await pki.leaf({ cn: 'decoy.test' });
    const key = generateKey();
    const decoys = await Promise.all(Array.from({ length: 30 }, () => issue({ cn: 'Decoy Intermediate CA', ca: true, keyPair: key })));
    const result = validateChain([leaf.cert, ...decoys.map((d) => d.cert), pki.intermediate.cert], store(pki.root), { at: now, limits: { signatures: 5 } });
    expect(result.trusted).toBe(true);
  });

  it('bounds the signature checks when a hostile chain sends many look-alike issuers', async () => {
    const pki = await hierarchy('Hostile');
    const leaf = await pki.leaf({ cn: 'hostile.test' });
    // Same name as the missing issuer, other keys: each one costs a signature check.
    const decoys = await Promise.all(Array.from({ length: 30 }, () => issue({ cn: 'Hostile Intermediate CA', ca: true })));
    const presented = [leaf.cert, ...decoys.map((d) => d.cert)];
    const bounded = validateChain(presented, store(pki.root), { at: now, limits: { signatures: 20 } });
    expect(bounded.trusted).toBe(false);
    expect(bounded.workLimit).toBe('the search for a path stopped after 20 signature checks');
    expect(bounded.problems.at(-1)?.message).toBe(bounded.workLimit);
    // Within the default bound the same chain is searched to its end: the issuer is missing.
    const unbounded = validateChain(presented, store(pki.root), { at: now });
    expect({ end: unbounded.end, workLimit: unbounded.workLimit }).toEqual({ end: 'missing-issuer', workLimit: null });
    expect(DEFAULT_LIMITS.signatures).toBe(250);
  });

  it('bounds the name-constraint comparisons of huge constraint and name sets', async () => {
    const names = Array.from({ length: 600 }, (_, i) => `n${i}.example`);
    const root = await issue({ cn: 'Constrained Root', ca: true, rawExtensions: [['2.5.29.30', permitDnsOnly(names)]] });
    const small = await issue({ cn: 'small.test', sans: ['n1.example'], subject: 'CN=n1.example', issuer: root });
    const huge = await issue({ cn: 'huge.test', sans: names, subject: 'CN=n0.example', issuer: root });
    expect(validateChain([small.cert], store(root), { at: now }).trusted).toBe(true);
    const result = validateChain([huge.cert], store(root), { at: now });
    expect(result.trusted).toBe(false);
    expect(result.problems.map((p) => p.message).join()).toContain('more comparisons than certcheck allows one chain');
    expect(validateChain([huge.cert], store(root), { at: now, limits: { comparisons: 1_000_000 } }).trusted).toBe(true);
  });

  it('backtracks from an expired intermediate to a valid one of the same name and key', async () => {
    const pki = await hierarchy('Renewed');
    const expired = await issue({
      cn: 'Renewed Intermediate CA',
      ca: true,
      issuer: pki.root,
      keyPair: pki.intermediate.key,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const leaf = await pki.leaf({ cn: 'renewed.test' });
    const result = validateChain([leaf.cert, expired.cert, pki.intermediate.cert], store(pki.root), { at: now });
    expect(result.end).toBe('trusted');
    expect(result.path[1].fingerprint256).toBe(pki.intermediate.cert.fingerprint256);
    // With only the expired one, the path is found and its problem named.
    const only = validateChain([leaf.cert, expired.cert], store(pki.root), { at: now });
    expect(only.end).toBe('invalid');
    expect(only.problems).toEqual([expect.objectContaining({ index: 1, kind: 'validity' })]);
  });

  it('builds a path under a CA whose subject has several attributes, in their DER order', async () => {
    const root = await issue({ cn: 'Multi CA', subject: 'O=Org, CN=Multi CA', ca: true });
    const leaf = await issue({ cn: 'multi.test', issuer: root });
    expect(validateChain([leaf.cert], store(root), { at: now }).trusted).toBe(true);
  });

  it('judges validity at the time it is given', async () => {
    const pki = await hierarchy('Later');
    const leaf = await pki.leaf({ cn: 'later.test' });
    const chain = [leaf.cert, pki.intermediate.cert];
    expect(validateChain(chain, store(pki.root), { at: now }).trusted).toBe(true);
    // The intermediate ends in five years; ten years on, it has expired.
    const later = validateChain(chain, store(pki.root), { at: new Date(Date.now() + 3650 * DAY) });
    expect(later.problems.map((p) => p.kind)).toContain('validity');
  });

  it('refuses a CA certificate as the leaf, unless the leaf is itself trusted', async () => {
    const root = await issue({ cn: 'Leafy Root', ca: true });
    const caLeaf = await issue({ cn: 'ca-leaf.test', ca: true, sans: ['ca-leaf.test'], issuer: root });
    expect(validateChain([caLeaf.cert], store(root), { at: now }).problems.map((p) => p.message)).toContain(
      'is a CA certificate used as a server certificate (CA/Browser Forum 7.1.2.7.8)',
    );
    const pinned = await issue({ cn: 'pinned.test', ca: true, sans: ['pinned.test'] });
    expect(validateChain([pinned.cert], store(pinned), { at: now }).end).toBe('trusted');
  });
});

describe('trust anchors', () => {
  it('every Mozilla root bundled with Node passes as a vetted anchor', () => {
    const roots = rootCertificates.map((pem) => new X509Certificate(pem));
    expect(roots.length).toBeGreaterThan(100);
    const failing = roots.map((cert) => ({ subject: cert.subject, problems: certificateProblems(parsed(cert), 'vetted-anchor') })).filter((r) => r.problems.length > 0);
    expect(failing).toEqual([]);
  });

  it('holds a CA file to the profile a root programme grandfathers', () => {
    const tc = limboServerCases().find((c) => c.id === 'rfc5280::root-non-critical-basic-constraints');
    if (!tc) throw new Error('case missing');
    const roots = tc.trusted_certs.map((pem) => new X509Certificate(pem));
    const leaf = new X509Certificate(tc.peer_certificate);
    const fromFile = validateChain([leaf], new TrustStore(roots, 'a CA file'), { at: now });
    expect(fromFile.problems.map((p) => p.message)).toEqual(['is a CA whose basic constraints are not marked critical (RFC 5280 4.2.1.9)']);
    const vetted = validateChain([leaf], new TrustStore(roots, 'a root programme', true), { at: now });
    expect(vetted.end).toBe('trusted');
  });

  it('keeps each anchor vetted or not when a CA file is added to the Mozilla roots', () => {
    const tc = limboServerCases().find((c) => c.id === 'rfc5280::root-non-critical-basic-constraints');
    if (!tc) throw new Error('case missing');
    const file = new TrustStore(tc.trusted_certs.map((pem) => new X509Certificate(pem)), 'a CA file');
    const both = TrustStore.mozilla().plus(file, 'both');
    expect(both.vetted(file.certificates[0])).toBe(false);
    expect(both.vetted(TrustStore.mozilla().certificates[0])).toBe(true);
    expect(both.contains(file.certificates[0])).toBe(true);
  });
});
