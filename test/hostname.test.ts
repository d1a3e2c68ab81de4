import { dnsNameMatches } from '../lib/checks/hostname';
import { checkHostname } from '../lib/checks/hostname';
import type { CheckInput } from '../lib/checks';
import type { CertInfo } from '../lib/x509/cert-info';

describe('dnsNameMatches (RFC 6125)', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['Example.COM', 'example.com', true],
    ['example.com.', 'example.com', true],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false],
    ['w*.example.com', 'www.example.com', false],
    ['www.*.example.com', 'www.a.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
    ['*.co.uk', 'example.co.uk', false],
    ['*.s3.amazonaws.com', 'bucket.s3.amazonaws.com', false],
    ['*.example.co.uk', 'www.example.co.uk', true],
    ['foo_bar.example.com', 'foo_bar.example.com', false],
    ['*', 'com', false],
    ['.example.com', 'a.example.com', false],
    ['xn--*-1b3c148a.example.com', 'xn--bliss-1b3c148a.example.com', false],
  ])('%s covers %s: %s', (pattern, name, expected) => {
    expect(dnsNameMatches(pattern, name)).toBe(expected);
  });
});

function leafWith(facts: Partial<CertInfo>): CheckInput {
  return {
    expectedName: 'example.com',
    expectedNameIsIp: false,
    failure: null,
    leaf: { dnsNames: [], ipAddresses: [], commonName: null, ...facts } as CertInfo,
    presented: [],
    chain: null,
    path: [],
    resumption: null,
    revocation: null,
    aiaIssuer: null,
  };
}

describe('checkHostname', () => {
  const ctx = { now: new Date(), warnDays: 30, criticalDays: 7, trustSource: 'test' };

  it('ignores the CN when SANs exist', () => {
    expect(checkHostname(leafWith({ commonName: 'example.com', dnsNames: ['other.com'] }), ctx)).toHaveLength(1);
  });

  it('does not fall back to the CN when there are no SANs, as browsers do not', () => {
    const findings = checkHostname(leafWith({ commonName: 'example.com' }), ctx);
    expect(findings.map((f) => f.code)).toEqual(['HOSTNAME_MISMATCH']);
    expect(findings[0].message).toContain('browsers ignore its common name "example.com"');
  });

  it('checks no name when none is asked (--chain-file without --name)', () => {
    expect(checkHostname({ ...leafWith({ dnsNames: ['other.com'] }), expectedName: null }, ctx)).toEqual([]);
  });

  it('compares IPv6 targets in canonical form', () => {
    const input = { ...leafWith({ ipAddresses: ['2001:db8:0:0:0:0:0:1'] }), expectedName: '2001:db8::1', expectedNameIsIp: true };
    expect(checkHostname(input, ctx)).toEqual([]);
  });

  it('does not match an IP target against DNS names', () => {
    const input = { ...leafWith({ dnsNames: ['127.0.0.1'] }), expectedName: '127.0.0.1', expectedNameIsIp: true };
    expect(checkHostname(input, ctx)).toHaveLength(1);
  });
});
