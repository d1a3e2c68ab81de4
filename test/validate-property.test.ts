/**
 * Property: whatever certificate a server sends (names, random or malformed extensions, critical
 * flags, SANs of any kind), the checks give a report with codes, never CHECK_FAILED.
 */
import fc from 'fast-check';
import { checkCertificates, DEFAULT_CHECK_OPTIONS } from '../lib/check';
import { parseTarget } from '../lib/target';
import { TrustStore } from '../lib/x509/trust-store';
import { issue, type Issued } from './fixtures/pki';

const OIDS = [
  '2.5.29.14', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.30', '2.5.29.31', '2.5.29.32',
  '2.5.29.35', '2.5.29.36', '2.5.29.37', '1.3.6.1.5.5.7.1.1', '1.3.6.1.5.5.7.1.24', '1.3.6.1.4.1.55738.666.1',
];

function tlv(tag: number, body: Uint8Array): Buffer {
  const len = body.length;
  const head = len < 0x80 ? [tag, len] : [tag, 0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from(head), body]);
}

/** A DER value: random bytes, or a SEQUENCE of context-tagged general names (well formed or not). */
const extensionValue = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 20 })), { maxLength: 6 })
    .map((names) => new Uint8Array(tlv(0x30, Buffer.concat(names.map(([tag, body]) => tlv(0x80 | tag, body)))))),
  fc
    .array(fc.constantFrom('example.com', '*.example.com', 'foo_bar.test', '*', '.x', 'xn--*-a.test', '😜.test', '192.0.2.1'), { maxLength: 5 })
    .map((names) => new Uint8Array(tlv(0x30, Buffer.concat(names.map((n) => tlv(0x82, Buffer.from(n))))))),
);

const attribute = fc.string({ unit: fc.constantFrom(...'abcXYZ09 .-_*éü中'.split('')), minLength: 1, maxLength: 12 }).map((s) => s.trim() || 'x');
const subject = fc.oneof(
  fc.constant(''),
  attribute.map((cn) => `CN=${cn}`),
  fc.tuple(attribute, attribute).map(([o, cn]) => `O=${o}, CN=${cn}`),
);

const certificate = fc.record({
  subject,
  ca: fc.boolean(),
  pathLength: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  extensions: fc.array(fc.tuple(fc.constantFrom(...OIDS), extensionValue, fc.boolean()), { maxLength: 4 }),
  name: fc.constantFrom('example.com', 'foo.example.com', '192.0.2.1', '::1', 'xn--628h.test'),
});

let root: Issued;
beforeAll(async () => {
  root = await issue({ cn: 'Property Root', ca: true });
});

describe('checking any certificate', () => {
  it('gives a report with finding codes, never CHECK_FAILED', async () => {
    await fc.assert(
      fc.asyncProperty(certificate, async (spec) => {
        const leaf = await issue({
          cn: 'leaf',
          subject: spec.subject,
          sans: [],
          ca: spec.ca,
          pathLength: spec.ca ? spec.pathLength : undefined,
          eku: null,
          issuer: root,
          rawExtensions: spec.extensions,
        });
        const report = await checkCertificates(parseTarget(spec.name), [leaf.cert, root.cert], {
          ...DEFAULT_CHECK_OPTIONS,
          trustStore: new TrustStore([root.cert], 'the property root'),
          revocation: false,
          fetch: () => Promise.reject(new Error('no network here')),
        });
        expect(['ok', 'warning', 'critical', 'unknown']).toContain(report.status);
        expect(report.leaf).not.toBeNull();
        for (const finding of report.findings) {
          expect(finding.code).toMatch(/^[A-Z_]+$/);
          expect(finding.message.length).toBeGreaterThan(0);
        }
        expect(report.findings.map((f) => f.code)).not.toContain('CHECK_FAILED');
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 80) },
    );
  });
});
