/**
 * The chain verdict agrees with `openssl verify` (at the current time, any signature strength:
 * weak crypto is a separate finding here) on every chain case the fixtures make.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateChain } from '../lib/x509/validate';
import { TrustStore } from '../lib/x509/trust-store';
import { DAY, hierarchy, issue, type Issued } from './fixtures/pki';

interface Case {
  name: string;
  presented: Issued[];
  roots: Issued[];
}

let dir: string;
const cases: Case[] = [];

async function opensslTrusts({ presented, roots }: Case, index: number): Promise<boolean> {
  const base = join(dir, String(index));
  await writeFile(`${base}-leaf.pem`, presented[0].pem);
  await writeFile(`${base}-untrusted.pem`, presented.slice(1).map((c) => c.pem).join('') || presented[0].pem);
  await writeFile(`${base}-roots.pem`, roots.map((c) => c.pem).join(''));
  try {
    await promisify(execFile)('openssl', [
      'verify', '-auth_level', '0',
      '-CAfile', `${base}-roots.pem`, '-untrusted', `${base}-untrusted.pem`, `${base}-leaf.pem`,
    ]);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certcheck-verify-'));
  const pki = await hierarchy('Agree');
  const other = await hierarchy('Stranger');
  const leaf = await pki.leaf({ cn: 'good.test' });
  const self = await issue({ cn: 'self.test' });
  const oldIntermediate = await issue({ cn: 'Old CA', ca: true, issuer: pki.root, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  const level2 = await issue({ cn: 'Level 2 CA', ca: true, issuer: pki.intermediate });
  const deepLeaf = await issue({ cn: 'deep.test', issuer: level2 });
  const notACa = await pki.leaf({ cn: 'not-a-ca.test', keyCertSign: true });
  const underNotACa = await issue({ cn: 'victim.test', issuer: notACa });
  const impostor = await issue({ cn: 'Agree Intermediate CA', ca: true });
  const forged = await issue({ cn: 'forged.test', issuer: impostor });
  const limited = await issue({ cn: 'Limited CA', ca: true, issuer: pki.root, pathLength: 0 });
  const underLimited = await issue({ cn: 'Under Limited CA', ca: true, issuer: limited });
  const tooDeep = await issue({ cn: 'too-deep.test', issuer: underLimited });
  const justRight = await issue({ cn: 'just-right.test', issuer: limited });
  // A cross-sign: the same root name and key, issued by an older root (as ISRG Root X1 by DST Root CA X3).
  const oldRoot = await issue({ cn: 'Old Root', ca: true });
  const crossSigned = await issue({ cn: 'Agree Root CA', ca: true, issuer: oldRoot, keyPair: pki.root.key });
  const rsaRoot = await issue({ cn: 'RSA Root', ca: true, key: { type: 'rsa', bits: 2048 } });
  const md5 = await issue({ cn: 'MD5 CA', ca: true, issuer: rsaRoot, hash: 'md5' });
  cases.push(
    { name: 'a good chain', presented: [leaf, pki.intermediate], roots: [pki.root] },
    { name: 'the root sent too', presented: [leaf, pki.intermediate, pki.root], roots: [pki.root] },
    { name: 'out of order', presented: [leaf, pki.root, pki.intermediate], roots: [pki.root] },
    { name: 'a missing intermediate', presented: [leaf], roots: [pki.root] },
    { name: 'an untrusted root', presented: [await other.leaf({ cn: 'x.test' }), other.intermediate, other.root], roots: [pki.root] },
    { name: 'an unknown root not sent', presented: [await other.leaf({ cn: 'x.test' }), other.intermediate], roots: [pki.root] },
    { name: 'a self-signed leaf', presented: [self], roots: [pki.root] },
    { name: 'a self-signed leaf that is trusted', presented: [self], roots: [self] },
    { name: 'an expired intermediate', presented: [await issue({ cn: 'old.test', issuer: oldIntermediate }), oldIntermediate], roots: [pki.root] },
    { name: 'three levels', presented: [deepLeaf, level2, pki.intermediate], roots: [pki.root] },
    { name: 'three levels, middle missing', presented: [deepLeaf, level2], roots: [pki.root] },
    { name: 'a leaf issued by a non-CA', presented: [underNotACa, notACa, pki.intermediate], roots: [pki.root] },
    { name: 'an impostor intermediate with the right name', presented: [forged, pki.intermediate], roots: [pki.root] },
    { name: 'a SHA-1 leaf', presented: [await pki.leaf({ cn: 'sha1.test', hash: 'sha1' }), pki.intermediate], roots: [pki.root] },
    { name: 'an MD5 intermediate', presented: [await issue({ cn: 'md5.test', issuer: md5 }), md5], roots: [rsaRoot] },
    { name: 'a CA below a pathLen 0 CA', presented: [tooDeep, underLimited, limited], roots: [pki.root] },
    { name: 'a leaf right under a pathLen 0 CA', presented: [justRight, limited], roots: [pki.root] },
    { name: 'a cross-signed root sent, the new root trusted', presented: [leaf, pki.intermediate, crossSigned], roots: [pki.root] },
    { name: 'a cross-signed root sent, only the old root trusted', presented: [leaf, pki.intermediate, crossSigned], roots: [oldRoot] },
    { name: 'a cross-signed root needed but not sent', presented: [leaf, pki.intermediate], roots: [oldRoot] },
    { name: 'two trust anchors, the right one second', presented: [leaf, pki.intermediate], roots: [other.root, pki.root] },
  );
});

describe('chain verdicts agree with openssl verify', () => {
  it('on every case', async () => {
    const verdicts = await Promise.all(
      cases.map(async (c, i) => {
        const store = new TrustStore(c.roots.map((r) => r.cert), 'test');
        const ours = validateChain(c.presented.map((p) => p.cert), store, { at: new Date() }).trusted;
        return { name: c.name, ours, openssl: await opensslTrusts(c, i) };
      }),
    );
    for (const v of verdicts) expect({ case: v.name, trusted: v.ours }).toEqual({ case: v.name, trusted: v.openssl });
    // The cases cover both verdicts.
    expect(new Set(verdicts.map((v) => v.openssl))).toEqual(new Set([true, false]));
  });
});
