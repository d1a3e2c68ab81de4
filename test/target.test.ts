import fc from 'fast-check';
import { parseTarget, TargetError, targetKey } from '../lib/target';

describe('parseTarget', () => {
  it.each([
    ['example.com', 'example.com', 443, 0],
    ['Example.COM:8443', 'example.com', 8443, 0],
    ['example.com.', 'example.com', 443, 0],
    ['https://example.com/some/path?q=1', 'example.com', 443, 0],
    ['https://example.com:8443', 'example.com', 8443, 0],
    ['wss://chat.example.com:9443/socket', 'chat.example.com', 9443, 0],
    ['HTTPS://Example.com', 'example.com', 443, 0],
    ['[2001:db8::1]:8443', '2001:db8::1', 8443, 6],
    ['[::1]', '::1', 443, 6],
    ['2001:db8::1', '2001:db8::1', 443, 6],
    ['https://[2001:db8::1]:444/', '2001:db8::1', 444, 6],
    ['192.0.2.10', '192.0.2.10', 443, 4],
    ['192.0.2.10:8443', '192.0.2.10', 8443, 4],
    ['bücher.example', 'xn--bcher-kva.example', 443, 0],
    ['  padded.example  ', 'padded.example', 443, 0],
  ])('accepts %s', (input, host, port, ipVersion) => {
    expect(parseTarget(input)).toMatchObject({ host, port, ipVersion });
  });

  it.each([
    ['', /empty/],
    ['exa mple.com', /spaces/],
    ['user@example.com', /user information/],
    ['https://user:pw@example.com/', /user information/],
    ['ftp://example.com', /scheme "ftp" is not supported/],
    ['http://example.com', /scheme "http" is not supported/],
    ['example.com:0', /outside 1-65535/],
    ['example.com:65536', /outside 1-65535/],
    ['example.com:https', /not a number/],
    ['127.0.0.1:700000', /port 700000 is outside 1-65535/],
    ['example.com:', /no port after ":"/],
    ['https://example.com:/', /no port after ":"/],
    ['[2001:db8::1]:', /no port after ":"/],
    ['1.2.3.4:443:5', /more than one ":" \(host:port takes one\)/],
    ['example.com:443:5', /more than one ":"/],
    ['localhost:443:5', /more than one ":" \(host:port takes one\)/],
    ['2001:db8::1:443x', /in brackets/],
    [`${'a'.repeat(64)}.example.com`, /longer than 63/],
    ['example.com/path', /path needs a scheme/],
    ['[2001:db8::1', /missing "]"/],
    ['[example.com]:443', /not an IPv6 address/],
    ['2001:db8::1:443x', /not a valid|brackets/],
    ['-bad-.example', /not a valid host name/],
  ])('refuses %j with a clear message', (input, why) => {
    expect(() => parseTarget(input)).toThrow(TargetError);
    expect(() => parseTarget(input)).toThrow(why);
  });

  it('keeps any valid host and port through host:port', () => {
    // Labels with "--" in the third and fourth place are IDN A-labels ("xn--…"), checked for being valid punycode: not plain names.
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/).filter((l) => l.slice(2, 4) !== '--');
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('test', 'example', 'org'), fc.integer({ min: 1, max: 65535 }), (labels, tld, port) => {
        const host = [...labels, tld].join('.');
        const parsed = parseTarget(`${host}:${port}`);
        expect(parsed).toMatchObject({ host, port, ipVersion: 0 });
        expect(parseTarget(`https://${host.toUpperCase()}:${port}/x`)).toMatchObject({ host, port });
      }),
    );
  });

  it('round-trips every IPv6 address in brackets', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        const parsed = parseTarget(`[${ip}]:${port}`);
        expect(parsed.ipVersion).toBe(6);
        expect(parsed.port).toBe(port);
      }),
    );
  });

  it('never throws anything but a TargetError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        try {
          parseTarget(input);
        } catch (err) {
          expect(err).toBeInstanceOf(TargetError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('targetKey', () => {
  it('writes IPv6 colons as dashes', () => {
    expect(targetKey('example.com', 443)).toBe('example.com_443');
    expect(targetKey('example.com', 443, '2001:db8::1')).toBe('example.com_443_2001-db8--1');
  });
});
