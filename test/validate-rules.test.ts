/**
 * The path validator's rules one at a time, each on generated certificates that break that rule
 * and no other: what the x509-limbo suite and the server tests leave unguarded (found by a
 * mutation pass over lib/x509 and lib/checks). Certificates that pki.ts cannot make (a negative
 * serial, a v1 certificate, no basic constraints) are made from one of its certificates with a
 * field changed and signed again.
 */
import 'reflect-metadata';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Certificate, Extension, Extensions, Name, RelativeDistinguishedName, type TBSCertificate, Version } from '@peculiar/asn1-x509';
import { sign, X509Certificate } from 'node:crypto';
import { checkCertificates, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import type { CheckInput } from '../lib/checks';
import { checkCrypto } from '../lib/checks/crypto';
import { checkHostname, dnsNameMatches } from '../lib/checks/hostname';
import { parseTarget } from '../lib/target';
import { certInfo } from '../lib/x509/cert-info';
import { parsed } from '../lib/x509/parsed';
import { certificateProblems } from '../lib/x509/rules';
import { TrustStore } from '../lib/x509/trust-store';
import { validateChain } from '../lib/x509/validate';
import { DAY, hierarchy, issue, type Issued, type KeyPair } from './fixtures/pki';

const now = new Date();
const store = (...roots: Issued[]) => new TrustStore(roots.map((r) => r.cert), 'test');

/** DER: a tag and its contents (short and long lengths). */
function tlv(tag: number, ...body: Uint8Array[]): Buffer {
  const content = Buffer.concat(body);
  const len = content.length;
  const head = len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from(head), content]);
}

/**
 * `base` with its TBS changed by `edit` and signed again by `signer` (an EC key of pki.ts, so the
 * signature algorithm stays ecdsa-with-SHA256).
 */
function resigned(base: Issued, signer: KeyPair, edit: (tbs: TBSCertificate) => void): X509Certificate {
  const cert = AsnConvert.parse(base.cert.raw, Certificate);
  edit(cert.tbsCertificate);
  cert.tbsCertificateRaw = undefined;
  const tbs = Buffer.from(AsnConvert.serialize(cert.tbsCertificate));
  cert.signatureValue = new Uint8Array(sign('sha256', tbs, { key: signer.privateKey, dsaEncoding: 'der' })).buffer;
  return new X509Certificate(Buffer.from(AsnConvert.serialize(cert)));
}

/** An edit that leaves out the extensions with these OIDs. */
function without(...oids: string[]): (tbs: TBSCertificate) => void {
  return (tbs) => {
    tbs.extensions = new Extensions([...(tbs.extensions ?? [])].filter((e) => !oids.includes(e.extnID)));
  };
}

/** An edit that replaces (or adds) the extension `oid`. */
function replacing(oid: string, value: Uint8Array, critical = false): (tbs: TBSCertificate) => void {
  return (tbs) => {
    without(oid)(tbs);
    tbs.extensions?.push(new Extension({ extnID: oid, critical, extnValue: new OctetString(value) }));
  };
}

const problemsOf = (cert: X509Certificate, role: Parameters<typeof certificateProblems>[1]) => certificateProblems(parsed(cert), role);

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  nameConstraints: '2.5.29.30',
  subjectAltName: '2.5.29.17',
  tlsFeature: '1.3.6.1.5.5.7.1.24',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  policyConstraints: '2.5.29.36',
};
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** A serial of `octets` bytes in hex, whose first byte is `first`. */
const serialHex = (first: number, octets: number) => first.toString(16).padStart(2, '0') + '01'.repeat(octets - 1);

/** GeneralName DER by form (RFC 5280 4.2.1.6), for SANs and name constraints. */
const gn = {
  email: (v: string) => tlv(0x81, Buffer.from(v)),
  dns: (v: string) => tlv(0x82, Buffer.from(v)),
  uri: (v: string) => tlv(0x86, Buffer.from(v)),
  ip: (...bytes: number[]) => tlv(0x87, Buffer.from(bytes)),
  dn: (name: Buffer) => tlv(0xa4, name),
  registeredId: () => tlv(0x88, Buffer.from([0x2a, 0x03])),
};

/** A Name of single-attribute RDNs, each [OID bytes of 2.5.4.x, value]: CN is 3, O is 10, C is 6. */
function dnName(...rdns: [number, string][]): Buffer {
  return tlv(0x30, ...rdns.map(([attribute, value]) => tlv(0x31, tlv(0x30, tlv(0x06, Buffer.from([0x55, 0x04, attribute])), tlv(0x0c, Buffer.from(value))))));
}

/** A NameConstraints extension value. */
function nameConstraints(c: { permitted?: Buffer[]; excluded?: Buffer[] }): Buffer {
  const subtrees = (tag: number, bases: Buffer[] | undefined) => (bases ? [tlv(tag, ...bases.map((base) => tlv(0x30, base)))] : []);
  return tlv(0x30, ...subtrees(0xa0, c.permitted), ...subtrees(0xa1, c.excluded));
}

const san = (...names: Buffer[]) => tlv(0x30, ...names);

/** An otherName (a Microsoft UPN) as a GeneralName: a form certcheck cannot judge under constraints. */
const otherName = (upn: string) => tlv(0xa0, tlv(0x06, Buffer.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03])), tlv(0xa0, tlv(0x0c, Buffer.from(upn))));

/** A root with these name constraints, and a function for leaves under it with these SANs (and subject). */
async function constrained(c: { permitted?: Buffer[]; excluded?: Buffer[] }) {
  const root = await issue({ cn: 'Constrained Root', ca: true, rawExtensions: [[OID.nameConstraints, nameConstraints(c), true]] });
  return {
    root,
    check: async (names: Buffer[], subject = 'CN=leaf') => {
      const leaf = await issue({ cn: 'leaf', subject, sans: [], issuer: root, rawExtensions: [[OID.subjectAltName, san(...names)]] });
      return validateChain([leaf.cert], store(root), { at: now });
    },
  };
}

const ctx = { now, warnDays: 30, criticalDays: 7, trustSource: 'test' };

/** The report of `certcheck --chain-file --name <name> --at <at>` on these certificates. */
function report(presented: Issued[], roots: Issued[], opts: { at?: Date; name?: string } = {}) {
  const name = opts.name ?? presented[0].cn;
  return checkCertificates(parseTarget(name), presented.map((c) => c.cert), {
    ...DEFAULT_CHECK_OPTIONS,
    trustStore: store(...roots),
    at: opts.at,
    revocation: false,
    fetch: () => Promise.reject(new Error('no network here')),
  });
}
const findings = async (r: ReturnType<typeof report>) => (await r).findings.map((f) => `${f.code} ${f.severity}: ${f.message}`);

describe('serial numbers', () => {
  it('refuses a negative serial number', async () => {
    const root = await issue({ cn: 'Serial Root', ca: true });
    const leaf = await issue({ cn: 'serial.test', issuer: root });
    const negative = resigned(leaf, root.key, (tbs) => {
      tbs.serialNumber = new Uint8Array([0x80, 0x11, 0x22, 0x33]).buffer;
    });
    expect(parsed(negative).serial.toString('hex')).toBe('80112233');
    expect(problemsOf(negative, 'leaf')).toEqual(['has a negative serial number (RFC 5280 4.1.2.2)']);
  });

  it('refuses a 21-octet serial number, on the leaf and on an intermediate', async () => {
    const root = await issue({ cn: 'Long Serial Root', ca: true });
    const leaf = await issue({ cn: 'long-serial.test', issuer: root, serial: serialHex(0x7f, 21) });
    expect(problemsOf(leaf.cert, 'leaf')).toEqual(['has a 21-octet serial number, over the 20 RFC 5280 allows']);
    const ca = await issue({ cn: 'Long Serial CA', ca: true, issuer: root, serial: serialHex(0x7f, 21) });
    expect(problemsOf(ca.cert, 'intermediate')).toEqual(['has a 21-octet serial number, over the 20 RFC 5280 allows']);
  });

  it('accepts a 20-octet serial number whose high bit needs a leading zero octet in DER', async () => {
    const root = await issue({ cn: 'High Serial Root', ca: true });
    const leaf = await issue({ cn: 'high-serial.test', issuer: root, serial: serialHex(0x80, 20) });
    expect(parsed(leaf.cert).serial).toHaveLength(21);
    expect(problemsOf(leaf.cert, 'leaf')).toEqual([]);
  });
});

describe('the rules of a CA', () => {
  it('refuses an issuer that has no basic constraints extension', async () => {
    const pki = await hierarchy('No BC');
    const bare = resigned(pki.intermediate, pki.root.key, without(OID.basicConstraints, OID.keyUsage));
    expect(problemsOf(bare, 'intermediate')).toEqual(['is used as a CA but has no basic constraints extension']);
    const leaf = await pki.leaf({ cn: 'no-bc.test' });
    const result = validateChain([leaf.cert, bare], store(pki.root), { at: now });
    expect(result.end).toBe('invalid');
    expect(result.problems).toEqual([{ index: 1, kind: 'rule', message: 'is used as a CA but has no basic constraints extension' }]);
  });

  it('refuses an issuer whose basic constraints say it is not a CA', async () => {
    const pki = await hierarchy('Not CA');
    // BasicConstraints ::= SEQUENCE {} : cA defaults to FALSE.
    const notCa = resigned(pki.intermediate, pki.root.key, (tbs) => {
      without(OID.keyUsage)(tbs);
      replacing(OID.basicConstraints, tlv(0x30), true)(tbs);
    });
    expect(problemsOf(notCa, 'intermediate')).toEqual(['is used as a CA but its basic constraints say it is not one']);
  });

  it('refuses a CA with an empty subject name', async () => {
    const root = await issue({ cn: 'Empty Subject Root', ca: true });
    const ca = await issue({ cn: 'unnamed', subject: '', ca: true, issuer: root });
    expect(problemsOf(ca.cert, 'intermediate')).toEqual(['is a CA with an empty subject name']);
    const leaf = await issue({ cn: 'unnamed-issuer.test', issuer: ca });
    expect(problemsOf(leaf.cert, 'leaf')).toEqual(['has an empty issuer name']);
  });

  it('refuses an intermediate whose extended key usage leaves out server authentication, and allows anyExtendedKeyUsage', async () => {
    const root = await issue({ cn: 'EKU Root', ca: true });
    const clientOnly = await issue({ cn: 'Client CA', ca: true, issuer: root, eku: [EKU_CLIENT_AUTH] });
    expect(problemsOf(clientOnly.cert, 'intermediate')).toEqual(['is a CA whose extended key usage does not allow server authentication']);
    const anyPurpose = await issue({ cn: 'Any CA', ca: true, issuer: root, eku: [ANY_EKU] });
    expect(problemsOf(anyPurpose.cert, 'intermediate')).toEqual([]);
  });

  it('refuses a path length on a certificate that is not a CA, or on a CA that may not sign certificates', async () => {
    const root = await issue({ cn: 'Path Length Root', ca: true });
    const leaf = await issue({ cn: 'path-length.test', issuer: root, pathLength: 0 });
    expect(problemsOf(leaf.cert, 'leaf')).toEqual(['sets a path length without being a CA that signs certificates (RFC 5280 4.2.1.9)']);
    const ca = await issue({ cn: 'No Sign CA', ca: true, issuer: root, pathLength: 0 });
    // KeyUsage BIT STRING: digitalSignature only.
    const noSign = resigned(ca, root.key, replacing(OID.keyUsage, tlv(0x03, Buffer.from([0x07, 0x80])), true));
    expect(problemsOf(noSign, 'intermediate')).toContain('sets a path length without being a CA that signs certificates (RFC 5280 4.2.1.9)');
  });
});

describe('the rules of every certificate', () => {
  it('refuses a certificate that is v1 or v2', async () => {
    const root = await issue({ cn: 'V1 Root', ca: true });
    const leaf = await issue({ cn: 'v1.test', issuer: root });
    const v1 = resigned(leaf, root.key, (tbs) => {
      tbs.version = Version.v1;
    });
    expect(problemsOf(v1, 'leaf')).toEqual(['is an X.509 v1 certificate, not v3']);
    const v2 = resigned(leaf, root.key, (tbs) => {
      tbs.version = Version.v2;
    });
    expect(problemsOf(v2, 'leaf')).toEqual(['is an X.509 v2 certificate, not v3']);
  });

  it('refuses a certificate whose TBS names another signature algorithm than its signature', async () => {
    const root = await issue({ cn: 'Two Algorithms Root', ca: true });
    const leaf = await issue({ cn: 'two-algorithms.test', issuer: root });
    const mismatched = resigned(leaf, root.key, (tbs) => {
      tbs.signature.algorithm = '1.2.840.10045.4.3.3'; // ecdsa-with-SHA384; the outer one stays SHA-256
    });
    expect(problemsOf(mismatched, 'leaf')).toEqual(['names two different signature algorithms (RFC 5280 4.1.1.2)']);
  });

  it('refuses a common name that writes a SAN in Unicode instead of its A-label', async () => {
    const root = await issue({ cn: 'IDN Root', ca: true });
    const leaf = await issue({ cn: 'bücher.example', sans: ['xn--bcher-kva.example'], issuer: root });
    expect(parsed(leaf.cert).commonNames).toEqual(['bücher.example']);
    expect(problemsOf(leaf.cert, 'leaf')).toEqual([
      'has the common name "bücher.example", which names one of its subject alternative names but is not written exactly as it (CA/Browser Forum BR 7.1.4.3)',
    ]);
  });

  it('understands a critical TLS feature extension (OCSP must-staple)', async () => {
    const root = await issue({ cn: 'Must Staple Root', ca: true });
    const leaf = await issue({ cn: 'must-staple.test', issuer: root, rawExtensions: [[OID.tlsFeature, tlv(0x30, tlv(0x02, Buffer.from([5]))), true]] });
    expect(problemsOf(leaf.cert, 'leaf')).toEqual([]);
  });
});

describe('the rules of the path', () => {
  it('holds each CA to the end of its notAfter second, and no further', async () => {
    const root = await issue({ cn: 'Second Root', ca: true });
    const ca = await issue({ cn: 'Second CA', ca: true, issuer: root, notAfter: new Date(Date.now() + 10 * DAY) });
    const leaf = await issue({ cn: 'second.test', issuer: ca });
    const notAfter = parsed(ca.cert).notAfter;
    const at = (ms: number) => validateChain([leaf.cert, ca.cert], store(root), { at: new Date(ms) });
    expect(at(notAfter).trusted).toBe(true);
    expect(at(notAfter + 999).trusted).toBe(true);
    const after = at(notAfter + 1000);
    expect(after.problems).toEqual([{ index: 1, kind: 'validity', message: `expired on ${new Date(notAfter).toISOString().slice(0, 10)}` }]);
  });

  it('says a CA not yet valid is not valid before its notBefore, not that it expired', async () => {
    const root = await issue({ cn: 'Early Root', ca: true });
    const ca = await issue({ cn: 'Early CA', ca: true, issuer: root, notBefore: new Date(Date.now() + 2 * DAY) });
    const leaf = await issue({ cn: 'early.test', issuer: ca });
    const result = validateChain([leaf.cert, ca.cert], store(root), { at: now });
    expect(result.problems).toEqual([{ index: 1, kind: 'validity', message: `is not valid before ${new Date(parsed(ca.cert).notBefore).toISOString().slice(0, 10)}` }]);
  });

  it('does not count a cross-signed trust anchor as an intermediate', async () => {
    const pki = await hierarchy('Cross Anchor');
    const oldRoot = await issue({ cn: 'Older Root', ca: true });
    const crossSigned = await issue({ cn: 'Cross Anchor Root CA', ca: true, issuer: oldRoot, keyPair: pki.root.key });
    const leaf = await pki.leaf({ cn: 'cross-anchor.test' });
    const result = validateChain([leaf.cert, pki.intermediate.cert], store(crossSigned), { at: now, maxIntermediates: 1 });
    expect(result.path.map((c) => c.fingerprint256)).toEqual([leaf.cert, pki.intermediate.cert, crossSigned.cert].map((c) => c.fingerprint256));
    expect(result.trusted).toBe(true);
    expect(validateChain([leaf.cert, pki.intermediate.cert], store(crossSigned), { at: now, maxIntermediates: 0 }).problems).toEqual([
      { index: 2, kind: 'rule', message: 'ends a path of 1 intermediate, over the 0 allowed' },
    ]);
  });

  it('applies name constraints to a self-issued leaf (only self-issued intermediates are exempt)', async () => {
    const { check } = await constrained({ permitted: [gn.dns('good.test')] });
    const result = await check([gn.dns('evil.test')], 'CN=Constrained Root');
    expect(result.problems).toEqual([
      { index: 0, kind: 'rule', message: 'breaks the name constraints of "CN=Constrained Root": "evil.test" is outside the permitted names (good.test)' },
    ]);
  });
});

describe('name constraints', () => {
  it('lets an empty dNSName constraint permit every host name', async () => {
    const { check } = await constrained({ permitted: [gn.dns('')] });
    expect((await check([gn.dns('anything.test')])).trusted).toBe(true);
  });

  it('names an IP constraint in CIDR form', async () => {
    const { check } = await constrained({ permitted: [gn.ip(192, 0, 2, 0, 255, 255, 255, 0)] });
    const result = await check([gn.ip(10, 0, 0, 1)]);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('"10.0.0.1" is outside the permitted names (192.0.2.0/24)')]);
  });

  it('holds an emailAddress in the subject to rfc822Name constraints (RFC 5280 4.2.1.10)', async () => {
    const { check } = await constrained({ permitted: [gn.email('mail.test')] });
    expect((await check([gn.dns('good.test')], 'CN=leaf, E=someone@mail.test')).trusted).toBe(true);
    const outside = await check([gn.dns('good.test')], 'CN=leaf, E=someone@elsewhere.test');
    expect(outside.problems.map((p) => p.message)).toEqual([expect.stringContaining('"someone@elsewhere.test" is outside the permitted names (mail.test)')]);
  });

  it('does not let an IPv6 subtree hold an IPv4 address whose bytes begin the same', async () => {
    // 32.1.13.184 is 0x20010db8, the first four bytes of 2001:db8::/32.
    const { check } = await constrained({ permitted: [gn.ip(0x20, 0x01, 0x0d, 0xb8, ...Array<number>(12).fill(0), ...Array<number>(4).fill(0xff), ...Array<number>(12).fill(0))] });
    const result = await check([gn.ip(32, 1, 13, 184)]);
    expect(result.trusted).toBe(false);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('"32.1.13.184" is outside the permitted names')]);
  });

  it('matches a URI host constraint without a leading dot to that host exactly', async () => {
    const { check } = await constrained({ permitted: [gn.uri('host.test')] });
    expect((await check([gn.uri('https://host.test/path')])).trusted).toBe(true);
    for (const uri of ['https://evilhost.test/', 'https://www.host.test/']) {
      expect((await check([gn.uri(uri)])).problems.map((p) => p.message)).toEqual([expect.stringContaining(`"${uri}" is outside the permitted names (host.test)`)]);
    }
  });

  it('matches a URI host constraint with a leading dot to the hosts below it', async () => {
    const { check } = await constrained({ permitted: [gn.uri('.host.test')] });
    expect((await check([gn.uri('https://www.host.test/')])).trusted).toBe(true);
    expect((await check([gn.uri('https://host.test/')])).trusted).toBe(false);
  });

  it('matches an rfc822Name constraint that is a whole mailbox to that mailbox only', async () => {
    const { check } = await constrained({ permitted: [gn.email('admin@mail.test')] });
    expect((await check([gn.email('admin@mail.test')])).trusted).toBe(true);
    expect((await check([gn.email('other@mail.test')])).trusted).toBe(false);
  });

  it('does not take an rfc822Name without an @ for a mailbox on that host', async () => {
    const { check } = await constrained({ permitted: [gn.email('mail.test')] });
    expect((await check([gn.email('someone@mail.test')])).trusted).toBe(true);
    expect((await check([gn.email('mail.test')])).problems.map((p) => p.message)).toEqual([expect.stringContaining('"mail.test" is outside the permitted names (mail.test)')]);
  });
});

describe('name constraints on forms and their well-formedness', () => {
  it('excludes a wildcard whose parent lies inside an excluded subtree', async () => {
    const { check } = await constrained({ excluded: [gn.dns('bad.test')] });
    expect((await check([gn.dns('*.good.test')])).trusted).toBe(true);
    expect((await check([gn.dns('*.bad.test')])).problems.map((p) => p.message)).toEqual([expect.stringContaining('"*.bad.test" is excluded by the name constraint "bad.test"')]);
  });

  it('refuses a wildcard over a single label under DNS constraints', async () => {
    const { check } = await constrained({ permitted: [gn.dns('test')] });
    expect((await check([gn.dns('*.test')])).problems.map((p) => p.message)).toEqual([expect.stringContaining('"*.test" is not a valid DNS name, under name constraints')]);
  });

  it('does not exclude a wildcard by a subtree two labels below it, which it cannot match', async () => {
    const { check } = await constrained({ excluded: [gn.dns('deep.sub.good.test')] });
    expect((await check([gn.dns('*.good.test')])).trusted).toBe(true);
    expect((await check([gn.dns('*.sub.good.test')])).trusted).toBe(false);
  });

  it('does not judge a name of a form the constraints leave alone (an otherName under iPAddress constraints)', async () => {
    const { check } = await constrained({ permitted: [gn.ip(192, 0, 2, 0, 255, 255, 255, 0)] });
    expect((await check([gn.dns('good.test'), otherName('upn@good.test')])).trusted).toBe(true);
  });

  it('tells one form it cannot judge from another (an otherName under registeredID constraints)', async () => {
    const { check } = await constrained({ permitted: [gn.registeredId()] });
    expect((await check([gn.dns('good.test'), otherName('upn@good.test')])).trusted).toBe(true);
    const withRegisteredId = await check([gn.dns('good.test'), gn.registeredId()]);
    expect(withRegisteredId.problems.map((p) => p.message)).toEqual([expect.stringContaining('it has a registeredID name, which the name constraints restrict and certcheck cannot judge')]);
  });

  it('lets a name through an excluded subtree of its form when no permitted subtree is of its form', async () => {
    const { check } = await constrained({ permitted: [gn.dns('good.test')], excluded: [gn.ip(10, 0, 0, 0, 255, 0, 0, 0)] });
    expect((await check([gn.dns('good.test'), gn.ip(192, 0, 2, 1)])).trusted).toBe(true);
    expect((await check([gn.dns('good.test'), gn.ip(10, 1, 2, 3)])).trusted).toBe(false);
  });

  it('refuses an iPAddress that is not 4 or 16 bytes where iPAddress constraints apply, excluded ones included', async () => {
    const { check } = await constrained({ excluded: [gn.ip(10, 0, 0, 0, 255, 0, 0, 0)] });
    const result = await check([gn.ip(192, 0, 2, 1, 0)]);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('its iPAddress is 5 bytes, not an address, under name constraints')]);
  });

  it('refuses a URI without a host where URI constraints apply', async () => {
    const { check } = await constrained({ permitted: [gn.uri('.host.test')] });
    expect((await check([gn.uri('urn:example:thing')])).problems.map((p) => p.message)).toEqual([expect.stringContaining('"urn:example:thing" is outside the permitted names (.host.test)')]);
  });

  it('holds the subject to directoryName constraints, RDN by RDN', async () => {
    const { check } = await constrained({ permitted: [gn.dn(dnName([6, 'US'], [10, 'Good']))] });
    expect((await check([gn.dns('good.test')], 'C=US, O=Good, CN=leaf')).trusted).toBe(true);
    for (const subject of ['C=US, O=Evil, CN=leaf', 'C=US', 'C=US, O=Good+OU=Extra, CN=leaf']) {
      const result = await check([gn.dns('good.test')], subject);
      expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('is outside the permitted names (us, good)')]);
    }
  });

  it.each([
    ['a dNSName that is not a host name', gn.dns('*.wild.test'), 'its name constraint "*.wild.test" is not a valid DNS name constraint'],
    ['a network mask that is not contiguous', gn.ip(10, 0, 0, 0, 255, 0, 255, 0), 'its name constraint on IP addresses is not an address and a network mask'],
    ['an address without a mask', gn.ip(10, 0, 0, 0), 'its name constraint on IP addresses is not an address and a network mask'],
  ])('refuses a CA whose name constraint is %s', async (_what, base, message) => {
    const root = await issue({ cn: 'Bad Constraint Root', ca: true });
    const ca = await issue({ cn: 'Bad Constraint CA', ca: true, issuer: root, rawExtensions: [[OID.nameConstraints, nameConstraints({ permitted: [base] }), true]] });
    expect(problemsOf(ca.cert, 'intermediate')).toEqual([message]);
  });
});

describe('names', () => {
  it('finds an issuer whose name differs only in inner spaces and case', async () => {
    const root = await issue({ cn: 'Folded Root', ca: true });
    const alias = await issue({ cn: 'x', subject: 'CN=folded  ROOT', ca: true, keyPair: root.key });
    const leaf = await issue({ cn: 'folded.test', issuer: alias });
    expect(validateChain([leaf.cert], store(root), { at: now }).trusted).toBe(true);
  });

  it('finds an issuer whose multi-valued RDN lists its attributes in another order', async () => {
    const root = await issue({ cn: 'x', subject: 'CN=Multi+O=Valued', ca: true });
    const alias = await issue({ cn: 'x', subject: 'O=Valued+CN=Multi', ca: true, keyPair: root.key });
    const leaf = await issue({ cn: 'multi.test', issuer: alias });
    expect(parsed(leaf.cert).issuer.rdns).toEqual(parsed(root.cert).subject.rdns);
    expect(validateChain([leaf.cert], store(root), { at: now }).trusted).toBe(true);
  });

  it('finds an issuer named in a BMPString as its certificate names itself in a UTF8String', async () => {
    const root = await issue({ cn: 'Zertifizierungsstelle Köln', ca: true });
    const leaf = await issue({ cn: 'koeln.test', issuer: root });
    const bmp = resigned(leaf, root.key, (tbs) => {
      tbs.issuer = new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ bmpString: 'Zertifizierungsstelle KÖLN' }) })])]);
    });
    expect(parsed(bmp).issuer.key).toBe(parsed(root.cert).subject.key);
    expect(validateChain([bmp], store(root), { at: now }).trusted).toBe(true);
  });

  it('reads a common name written as a BMPString for the CN spelling rule', async () => {
    const root = await issue({ cn: 'CN Root', ca: true });
    const leaf = await issue({ cn: 'example.com', issuer: root });
    const bmp = resigned(leaf, root.key, (tbs) => {
      tbs.subject = new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ bmpString: 'EXAMPLE.com' }) })])]);
    });
    expect(parsed(bmp).commonNames).toEqual(['EXAMPLE.com']);
    expect(problemsOf(bmp, 'leaf')).toEqual([expect.stringContaining('has the common name "EXAMPLE.com", which names one of its subject alternative names but is not written exactly as it')]);
  });

  it.each([
    ['bytes after the directoryName', san(tlv(0xa4, dnName([3, 'x']), Buffer.from([0x05, 0x00]))), 'trailing bytes after a directoryName'],
    ['bytes after the names', Buffer.concat([san(gn.dns('good.test')), Buffer.from([0x05, 0x00])]), 'not a SEQUENCE of general names'],
    ['a general name form beyond registeredID', san(gn.dns('good.test'), tlv(0x89, Buffer.from('x'))), 'an unknown general name form [9]'],
  ])('refuses a subject alternative name with %s', async (_what, value, why) => {
    const root = await issue({ cn: 'SAN Root', ca: true });
    const leaf = await issue({ cn: 'good.test', sans: [], issuer: root, rawExtensions: [[OID.subjectAltName, value]] });
    expect(problemsOf(leaf.cert, 'leaf')).toEqual([`has a malformed subject alternative name extension (${why})`]);
  });
});

describe('reading extensions', () => {
  const bool = (...content: number[]) => tlv(0x01, Buffer.from(content));
  const int = (...content: number[]) => tlv(0x02, Buffer.from(content));

  it.each([
    ['a BOOLEAN of two bytes', tlv(0x30, bool(0xff, 0xff)), 'not a BOOLEAN'],
    ['a negative path length', tlv(0x30, bool(0xff), int(0xff)), 'a negative pathLenConstraint'],
    ['a field that is neither cA nor a path length', tlv(0x30, bool(0xff), tlv(0x04, Buffer.from([1]))), 'an unexpected field'],
  ])('refuses basic constraints with %s', async (_what, value, why) => {
    const root = await issue({ cn: 'Malformed BC Root', ca: true });
    const ca = await issue({ cn: 'Malformed BC CA', ca: true, issuer: root });
    const malformed = resigned(ca, root.key, replacing(OID.basicConstraints, value, true));
    expect(problemsOf(malformed, 'intermediate')).toContain(`has a malformed basic constraints extension (${why})`);
  });

  const accessDescription = (...fields: Buffer[]) => tlv(0x30, ...fields);
  const ocsp = tlv(0x06, Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]));
  it.each([
    ['a subject key identifier that is not an OCTET STRING', OID.subjectKeyIdentifier, tlv(0x02, Buffer.from([1, 2, 3])), 'subject key identifier', 'not an OCTET STRING'],
    ['a subtree with a field after its base other than minimum and maximum', OID.nameConstraints, tlv(0x30, tlv(0xa0, tlv(0x30, gn.dns('good.test'), tlv(0x04, Buffer.from([1]))))), 'name constraints', 'a subtree with an unexpected field'],
    ['name constraints with a field other than permitted and excluded subtrees', OID.nameConstraints, tlv(0x30, tlv(0xa2, tlv(0x30, gn.dns('good.test')))), 'name constraints', 'an unexpected field'],
    ['an authority information access that holds no access description', OID.authorityInfoAccess, tlv(0x30), 'authority information access', 'it holds no access description'],
    ['an access description with a third field', OID.authorityInfoAccess, tlv(0x30, accessDescription(ocsp, gn.uri('http://ocsp.test/'), gn.uri('http://other.test/'))), 'authority information access', 'an access description is not a method and a location'],
    ['policy constraints that constrain nothing', OID.policyConstraints, tlv(0x30), 'policy constraints', 'unexpected fields'],
    ['a subject alternative name that names nothing', OID.subjectAltName, tlv(0x30), 'subject alternative name', 'it names nothing'],
    ['an extended key usage that lists no purpose', OID.extKeyUsage, tlv(0x30), 'extended key usage', 'it lists no purpose'],
    ['an authority key identifier with a field it does not define', OID.authorityKeyIdentifier, tlv(0x30, tlv(0x80, Buffer.from([1, 2, 3])), tlv(0x83, Buffer.from([1]))), 'authority key identifier', 'an unexpected field'],
  ])('refuses %s', async (_what, oid, value, name, why) => {
    const root = await issue({ cn: 'Malformed Root', ca: true });
    const ca = await issue({ cn: 'Malformed CA', ca: true, issuer: root });
    const malformed = resigned(ca, root.key, replacing(oid, value, oid === OID.policyConstraints));
    expect(problemsOf(malformed, 'intermediate')).toContain(`has a malformed ${name} extension (${why})`);
  });
});

describe('building the path', () => {
  /** A root, a CA it issued, a leaf of that CA, and `count` expired versions of the CA (same name and key). */
  async function renewed(name: string, count: number, caNotAfter?: Date) {
    const root = await issue({ cn: `${name} Root`, ca: true, notAfter: new Date(Date.now() + 3650 * DAY) });
    const ca = await issue({ cn: `${name} CA`, ca: true, issuer: root, notAfter: caNotAfter });
    const expired = await Promise.all(
      Array.from({ length: count }, () =>
        issue({ cn: `${name} CA`, ca: true, issuer: root, keyPair: ca.key, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }),
      ),
    );
    const leaf = await issue({ cn: `${name.toLowerCase()}.test`, issuer: ca });
    return { root, ca, expired, leaf };
  }

  it('tries a currently valid issuer before expired versions of it, so a bounded search still finds the path', async () => {
    const { root, ca, expired, leaf } = await renewed('Fresh', 10);
    const result = validateChain([leaf.cert, ...expired.map((e) => e.cert), ca.cert], store(root), { at: now, limits: { signatures: 3 } });
    expect(result.trusted).toBe(true);
    expect(result.path[1].fingerprint256).toBe(ca.cert.fingerprint256);
  });

  it('counts an issuer as currently valid through the whole second of its notAfter when ordering candidates', async () => {
    const { root, ca, expired, leaf } = await renewed('Last Second', 10, new Date(Date.now() + 10 * DAY));
    const at = new Date(parsed(ca.cert).notAfter + 500);
    const result = validateChain([leaf.cert, ...expired.map((e) => e.cert), ca.cert], store(root), { at, limits: { signatures: 3 } });
    expect(result.trusted).toBe(true);
  });

  it('stops at exactly the signature bound', async () => {
    const pki = await hierarchy('Signature Bound');
    const leaf = await pki.leaf({ cn: 'signature-bound.test' });
    const one = validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { signatures: 1 } });
    expect({ trusted: one.trusted, workLimit: one.workLimit }).toEqual({ trusted: false, workLimit: 'the search for a path stopped after 1 signature checks' });
    expect(validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { signatures: 2 } }).trusted).toBe(true);
  });

  it('stops at exactly the depth bound', async () => {
    const pki = await hierarchy('Depth Bound');
    const leaf = await pki.leaf({ cn: 'depth-bound.test' });
    const one = validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { depth: 1 } });
    expect({ trusted: one.trusted, workLimit: one.workLimit }).toEqual({ trusted: false, workLimit: 'the path is longer than 1 certificates' });
    expect(validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { depth: 2 } }).trusted).toBe(true);
  });

  it('stops at exactly the step bound', async () => {
    const pki = await hierarchy('Step Bound');
    const leaf = await pki.leaf({ cn: 'step-bound.test' });
    const one = validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { steps: 1 } });
    expect({ trusted: one.trusted, workLimit: one.workLimit }).toEqual({ trusted: false, workLimit: 'the search for a path stopped after 1 steps' });
    expect(validateChain([leaf.cert, pki.intermediate.cert], store(pki.root), { at: now, limits: { steps: 2 } }).trusted).toBe(true);
  });

  it('ends the whole search at the first bound it hits, and judges no path after it', async () => {
    const root = await issue({ cn: 'Bound Root', ca: true });
    const far = await issue({ cn: 'Far Bound CA', ca: true, issuer: root });
    const deep = await issue({ cn: 'Deep Bound CA', ca: true, issuer: far });
    const viaDeep = await issue({ cn: 'Bound CA', ca: true, issuer: deep });
    const direct = await issue({ cn: 'Bound CA', ca: true, issuer: root, keyPair: viaDeep.key });
    const leaf = await issue({ cn: 'bound.test', issuer: viaDeep });
    const presented = [leaf.cert, viaDeep.cert, deep.cert, far.cert, direct.cert];
    expect(validateChain(presented, store(root), { at: now }).trusted).toBe(true);
    const bounded = validateChain(presented, store(root), { at: now, limits: { depth: 2 } });
    expect({ trusted: bounded.trusted, workLimit: bounded.workLimit }).toEqual({ trusted: false, workLimit: 'the path is longer than 2 certificates' });
  });

  it('never puts two versions of one CA (same name and key) on a path', async () => {
    const pki = await hierarchy('Two Versions');
    const older = await issue({ cn: 'Older Two Versions Root', ca: true });
    const crossSigned = await issue({ cn: 'Two Versions Root CA', ca: true, issuer: older, keyPair: pki.root.key });
    const leaf = await pki.leaf({ cn: 'two-versions.test' });
    const stranger = await issue({ cn: 'Stranger Root', ca: true });
    const result = validateChain([leaf.cert, pki.intermediate.cert, pki.root.cert, crossSigned.cert], store(stranger), { at: now });
    expect(result.end).toBe('untrusted-root');
    expect(result.path.map((c) => c.fingerprint256)).toEqual([leaf.cert, pki.intermediate.cert, pki.root.cert].map((c) => c.fingerprint256));
  });

  it('reports the path through the preferred issuer when every path breaks one rule', async () => {
    const root = await issue({ cn: 'Tie Root', ca: true });
    const clientOnly = await issue({ cn: 'Tie CA', ca: true, issuer: root, eku: [EKU_CLIENT_AUTH] });
    const expired = await issue({ cn: 'Tie CA', ca: true, issuer: root, keyPair: clientOnly.key, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const leaf = await issue({ cn: 'tie.test', issuer: clientOnly });
    const result = validateChain([leaf.cert, expired.cert, clientOnly.cert], store(root), { at: now });
    expect(result.end).toBe('invalid');
    expect(result.path[1].fingerprint256).toBe(clientOnly.cert.fingerprint256);
    expect(result.problems).toEqual([{ index: 1, kind: 'rule', message: 'is a CA whose extended key usage does not allow server authentication' }]);
  });

  it('reports the path that breaks the fewest rules when none is clean', async () => {
    const root = await issue({ cn: 'Fewest Root', ca: true });
    const twice = await issue({ cn: 'Fewest CA', ca: true, issuer: root, eku: [EKU_CLIENT_AUTH], serial: serialHex(0x7f, 21) });
    const expired = await issue({ cn: 'Fewest CA', ca: true, issuer: root, keyPair: twice.key, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const leaf = await issue({ cn: 'fewest.test', issuer: twice });
    const result = validateChain([leaf.cert, twice.cert, expired.cert], store(root), { at: now });
    expect(result.path[1].fingerprint256).toBe(expired.cert.fingerprint256);
    expect(result.problems).toEqual([expect.objectContaining({ index: 1, kind: 'validity' })]);
  });

  it('names the issuer missing furthest up when no path reaches an anchor', async () => {
    const farRoot = await issue({ cn: 'Far Root', ca: true });
    const middle = await issue({ cn: 'Middle CA', ca: true, issuer: farRoot });
    const ca = await issue({ cn: 'Dead End CA', ca: true, issuer: middle });
    const goneRoot = await issue({ cn: 'Gone Root', ca: true });
    const shortcut = await issue({ cn: 'Dead End CA', ca: true, issuer: goneRoot, keyPair: ca.key });
    const leaf = await issue({ cn: 'dead-end.test', issuer: ca });
    const stranger = await issue({ cn: 'Another Stranger Root', ca: true });
    const result = validateChain([leaf.cert, ca.cert, middle.cert, shortcut.cert], store(stranger), { at: now });
    expect({ end: result.end, missingIssuer: result.missingIssuer, length: result.path.length }).toEqual({ end: 'missing-issuer', missingIssuer: 'CN=Far Root', length: 3 });
  });
});

describe('host names', () => {
  const label = (c: string, n: number) => c.repeat(n);

  it.each([
    ['a label of 63 characters', true, `${label('a', 63)}.test`],
    ['a label of 64 characters', false, `${label('a', 64)}.test`],
    ['a name of 253 characters', true, [label('a', 63), label('b', 63), label('c', 63), label('d', 61)].join('.')],
    ['a name of 254 characters', false, [label('a', 63), label('b', 63), label('c', 63), label('d', 62)].join('.')],
    ['a hyphen inside a label', true, 'a-b.test'],
    ['a label that starts with a hyphen', false, '-ab.test'],
    ['a label that ends with a hyphen', false, 'ab-.test'],
  ])('a SAN with %s matches itself: %s', (_what, expected, name) => {
    expect(dnsNameMatches(name, name)).toBe(expected);
  });

  it.each([
    ['example.com', 'example.com.', true],
    ['example.com', 'EXAMPLE.com', true],
    ['*.example.com', 'WWW.Example.com.', true],
    ['*.example.com', '.example.com', false],
  ])('%s covers %s: %s', (pattern, name, expected) => {
    expect(dnsNameMatches(pattern, name)).toBe(expected);
  });

  it('lists six of the names a certificate is valid for, and counts the rest', async () => {
    const root = await issue({ cn: 'Many Names Root', ca: true });
    const names = Array.from({ length: 8 }, (_, i) => `n${i}.test`);
    const leaf = await issue({ cn: 'n0.test', sans: names, issuer: root });
    const input = { expectedName: 'other.test', expectedNameIsIp: false, leaf: certInfo(leaf.cert) } as CheckInput;
    expect(checkHostname(input, ctx).map((f) => f.message)).toEqual(['certificate is valid for n0.test, n1.test, n2.test, n3.test, n4.test, n5.test and 2 more, not other.test']);
  });
});

describe('expiry and the chain in the report', () => {
  it('keeps a leaf valid, and expiring soon, through the whole second of its notAfter', async () => {
    const pki = await hierarchy('Last Second Leaf');
    const leaf = await pki.leaf({ cn: 'last-second.test' });
    const notAfter = new Date(leaf.cert.validTo).getTime();
    const soon = await findings(report([leaf, pki.intermediate], [pki.root], { at: new Date(notAfter + 999) }));
    expect(soon).toEqual([expect.stringMatching(/^EXPIRES_SOON critical: certificate expires in 0 days/)]);
    const expired = await findings(report([leaf, pki.intermediate], [pki.root], { at: new Date(notAfter + 1000) }));
    expect(expired).toEqual([expect.stringMatching(/^EXPIRED critical: certificate expired on/)]);
  });

  it('reports an intermediate that is not valid yet', async () => {
    const root = await issue({ cn: 'Future Root', ca: true });
    const ca = await issue({ cn: 'Future CA', ca: true, issuer: root, notBefore: new Date(Date.now() + 2 * DAY) });
    const leaf = await issue({ cn: 'future.test', issuer: ca });
    expect(await findings(report([leaf, ca], [root]))).toEqual([`CHAIN_INVALID critical: intermediate "CN=Future CA" is not valid before ${new Date(ca.cert.validFrom).toISOString()}`]);
  });

  it('names an expired root that nobody trusts as the root', async () => {
    const root = await issue({ cn: 'Expired Stranger Root', ca: true, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    const leaf = await issue({ cn: 'expired-stranger.test', issuer: root });
    const other = await issue({ cn: 'Trusted Root', ca: true });
    const messages = await findings(report([leaf, root], [other]));
    expect(messages).toContain('UNTRUSTED_ROOT critical: the chain ends at the root "CN=Expired Stranger Root", which is not trusted by test');
    expect(messages).toContainEqual(expect.stringMatching(/^CHAIN_CERT_EXPIRED critical: the root "CN=Expired Stranger Root" expired on/));
  });

  it('reports at most ten broken rules, then how many more', async () => {
    const root = await issue({ cn: 'Many Rules Root', ca: true });
    const unknown = Array.from({ length: 12 }, (_, i): [string, Uint8Array, boolean] => [`1.3.6.1.4.1.55738.666.${i + 1}`, tlv(0x05), true]);
    const leaf = await issue({ cn: 'many-rules.test', issuer: root, rawExtensions: unknown });
    const chainInvalid = (await findings(report([leaf], [root]))).filter((f) => f.startsWith('CHAIN_INVALID'));
    expect(chainInvalid).toHaveLength(11);
    expect(chainInvalid[9]).toBe('CHAIN_INVALID critical: the certificate "CN=many-rules.test" has an unknown critical extension 1.3.6.1.4.1.55738.666.10');
    expect(chainInvalid[10]).toBe('CHAIN_INVALID critical: and 2 more rules broken on the path');
  });
});

describe('weak crypto on the path', () => {
  it("does not judge a root's own signature, only its key", async () => {
    const root = await issue({ cn: 'SHA-1 Root', ca: true, hash: 'sha1' });
    const ca = await issue({ cn: 'SHA-256 CA', ca: true, issuer: root });
    const leaf = await issue({ cn: 'sha1-root.test', issuer: ca });
    const r = await report([leaf, ca], [root]);
    expect(r.chain?.path.map((c) => c.subject)).toEqual(['CN=sha1-root.test', 'CN=SHA-256 CA', 'CN=SHA-1 Root']);
    expect(r.findings).toEqual([]);
  });

  it('says a 2047-bit RSA key is too short, not only that it is not a whole number of bytes', () => {
    const input = { leaf: { keyAlgorithm: 'RSA', keySize: 2047, signatureAlgorithm: 'sha256WithRSAEncryption' }, chain: null, path: [] } as unknown as CheckInput;
    expect(checkCrypto(input, ctx)).toEqual([{ code: 'WEAK_KEY', severity: 'critical', message: 'the certificate has a 2047-bit RSA key (at least 2048 bits needed)' }]);
  });
});

describe('trust stores', () => {
  it('does not vet the anchors of a CA file when the Mozilla roots are added to it', async () => {
    const root = await issue({ cn: 'File Root', ca: true });
    const both = store(root).plus(TrustStore.mozilla(), 'both');
    expect(both.vetted(root.cert)).toBe(false);
    expect(both.vetted(TrustStore.mozilla().certificates[0])).toBe(true);
  });
});
