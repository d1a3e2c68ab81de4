import fc from 'fast-check';
import { formatTarget, parseTarget, TargetError, targetKey } from '../lib/target';
import { parseTargetEntries } from '../lib/target-list';

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
    ['example.com', 'https', 443],
    ['https://example.com', 'https', 443],
    ['wss://example.com/socket', 'wss', 443],
    ['smtps://mail.example.com', 'smtps', 465],
    ['imaps://mail.example.com', 'imaps', 993],
    ['pop3s://mail.example.com', 'pop3s', 995],
    ['ldaps://dir.example.com', 'ldaps', 636],
    ['ftps://files.example.com', 'ftps', 990],
    ['smtp://mail.example.com', 'smtp', 25],
    ['SMTP://Mail.Example.com', 'smtp', 25],
    ['submission://mail.example.com', 'submission', 587],
    ['imap://mail.example.com/INBOX', 'imap', 143],
    ['pop3://mail.example.com', 'pop3', 110],
    ['ftp://files.example.com', 'ftp', 21],
    ['smtp://mail.example.com:2525', 'smtp', 2525],
    ['smtp://[2001:db8::1]', 'smtp', 25],
    ['imap://192.0.2.10', 'imap', 143],
    ['ldap://directory.example.com', 'ldap', 389],
    ['xmpp://chat.example.com', 'xmpp', 5222],
    ['postgres://db.internal', 'postgres', 5432],
    ['postgres://db.internal:6432/app', 'postgres', 6432],
  ])('reads %s as protocol %s on port %d', (input, protocol, port) => {
    expect(parseTarget(input)).toMatchObject({ protocol, port });
  });

  it.each([
    ['wss://chat.example.com/socket', '/socket'],
    ['wss://chat.example.com:9443/socket?room=1&v=2#top', '/socket?room=1&v=2'],
    ['wss://chat.example.com', '/'],
    ['wss://chat.example.com/', '/'],
    ['wss://chat.example.com?token=a', '/?token=a'],
    ['wss://[2001:db8::1]:8443/ws', '/ws'],
    ['wss://chat.example.com/a/../b/./c', '/b/c'],
    ['wss://chat.example.com/café', '/caf%C3%A9'],
    ['wss://chat.example.com//other.example/x', '//other.example/x'],
  ])('keeps the upgrade path of %s as %s', (input, path) => {
    expect(parseTarget(input).path).toBe(path);
  });

  it('keeps no path for other schemes, and no path in the key', () => {
    expect(parseTarget('https://example.com/some/path')).not.toHaveProperty('path');
    expect(parseTarget('example.com')).not.toHaveProperty('path');
    const wss = parseTarget('wss://chat.example.com:9443/socket');
    expect(targetKey(wss.host, wss.port, undefined, wss.protocol)).toBe('chat.example.com_9443');
  });

  it.each([
    ['ldap', 'ldap~example.com_389'],
    ['xmpp', 'xmpp~example.com_5222'],
    ['postgres', 'postgres~example.com_5432'],
  ])('keys %s:// as a STARTTLS target: %s', (scheme, key) => {
    const target = parseTarget(`${scheme}://example.com`);
    expect(targetKey(target.host, target.port, undefined, target.protocol)).toBe(key);
    expect(formatTarget(target)).toBe(`${scheme}://example.com:${target.port}`);
  });

  it('refuses what a bare host refuses behind a STARTTLS scheme too', () => {
    expect(() => parseTarget('smtp://user@mail.example.com')).toThrow(/user information/);
    expect(() => parseTarget('imap://mail.example.com:0')).toThrow(/outside 1-65535/);
    expect(() => parseTarget('pop3://mail.example.com:')).toThrow(/no port after ":" \(leave out the colon for 110\)/);
  });

  it.each([
    ['', /empty/],
    ['exa mple.com', /spaces/],
    ['user@example.com', /user information/],
    ['https://user:pw@example.com/', /user information/],
    ['gopher://example.com', /scheme "gopher" is not supported/],
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

  it('keeps the plain key for implicit TLS, whatever the scheme', () => {
    expect(targetKey('example.com', 443, undefined, 'https')).toBe('example.com_443');
    expect(targetKey('mail.example.com', 465, undefined, 'smtps')).toBe('mail.example.com_465');
  });

  it('starts the key of a STARTTLS target with its scheme, apart from implicit TLS on the same port', () => {
    const smtp = parseTarget('smtp://mail.example.com');
    const implicit = parseTarget('mail.example.com:25');
    expect(targetKey(smtp.host, smtp.port, undefined, smtp.protocol)).toBe('smtp~mail.example.com_25');
    expect(targetKey(implicit.host, implicit.port, undefined, implicit.protocol)).toBe('mail.example.com_25');
    expect(targetKey('2001:db8::1', 143, '2001:db8::1', 'imap')).toBe('imap~2001-db8--1_143_2001-db8--1');
  });

  it('makes keys that are safe as file names and URL path segments', () => {
    for (const input of ['smtp://mail.example.com', 'submission://[2001:db8::1]:587', 'ftp://files.example.com', 'imaps://mail.example.com']) {
      const t = parseTarget(input);
      expect(targetKey(t.host, t.port, '2001:db8::2', t.protocol)).toMatch(/^[a-z0-9._~-]+$/);
    }
  });
});

describe('formatTarget', () => {
  it('names the scheme where TLS is reached by STARTTLS, and of a WebSocket endpoint', () => {
    expect(formatTarget(parseTarget('smtp://mail.example.com'))).toBe('smtp://mail.example.com:25');
    expect(formatTarget(parseTarget('smtps://mail.example.com'))).toBe('mail.example.com:465');
    expect(formatTarget(parseTarget('wss://chat.example.com/socket'))).toBe('wss://chat.example.com:443');
    expect(formatTarget(parseTarget('https://chat.example.com/socket'))).toBe('chat.example.com:443');
    expect(formatTarget(parseTarget('[::1]:8443'))).toBe('[::1]:8443');
  });

  it('does not make a wss:// target another target than its host and port: one storage key, checked once', () => {
    const parsed = parseTargetEntries([
      { value: 'chat.example.com', where: 'line 1' },
      { value: 'wss://chat.example.com/socket', where: 'line 2' },
      { value: 'smtp://chat.example.com:443', where: 'line 3' },
    ]);
    expect(parsed.targets.map(formatTarget)).toEqual(['chat.example.com:443', 'smtp://chat.example.com:443']);
    expect(parsed.duplicates).toEqual([{ where: 'line 2', entry: 'wss://chat.example.com/socket', first: 'line 1' }]);
  });
});

describe('a target list', () => {
  it('keeps a STARTTLS target apart from implicit TLS on the same port, and checks a repeat once', () => {
    const entries = ['smtp://mail.example.com', 'mail.example.com:25', 'SMTP://mail.example.com:25', 'smtps://mail.example.com', 'mail.example.com:465'];
    const parsed = parseTargetEntries(entries.map((value, i) => ({ value, where: `line ${i + 1}` })));
    expect(parsed.targets.map((t) => t.input)).toEqual(['smtp://mail.example.com', 'mail.example.com:25', 'smtps://mail.example.com']);
    expect(parsed.duplicates.map((d) => [d.entry, d.first])).toEqual([
      ['SMTP://mail.example.com:25', 'line 1'],
      ['mail.example.com:465', 'line 4'],
    ]);
  });
});
