/** The HTTP door's address guard as a pure function: no packet is sent for any of these. */
import fc from 'fast-check';
import { blockedReason } from '../lib/address-policy';

describe('the address guard', () => {
  it.each([
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['10.1.2.3', /private/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.254', /CGNAT/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /link-local/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.170', /reserved/],
    ['192.0.2.10', /documentation/],
    ['192.168.1.1', /private/],
    ['198.18.0.1', /benchmarking/],
    ['224.0.0.251', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /reserved/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:169.254.169.254', /IPv4-mapped link-local/],
    ['::127.0.0.1', /IPv4-compatible loopback/],
    ['::10.0.0.1', /IPv4-compatible private/],
    ['64:ff9b::127.0.0.1', /NAT64 loopback/],
    ['64:ff9b::a9fe:a9fe', /NAT64 link-local/],
    ['64:ff9b:1::1', /NAT64 \(local use\)/],
    ['2002:7f00:1::1', /6to4 loopback/],
    ['2002:c0a8:101::1', /6to4 private/],
    ['fc00::1', /unique local/],
    ['fd12:3456:789a::1', /unique local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['2001::1', /Teredo/],
    ['100::1', /discard/],
    ['4000::1', /outside global unicast/],
    ['localhost', /not an IP address/],
  ])('refuses %s', (address, why) => {
    expect(blockedReason(address)).toMatch(why);
  });

  it.each(['93.184.215.14', '1.1.1.1', '8.8.8.8', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.169.0.1', '223.255.255.255', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '2a00:1450:4001:82a::200e', '::ffff:93.184.215.14', '64:ff9b::808:808', '2002:808:808::1'])(
    'lets %s through',
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it('judges every IPv6 wrapping of an IPv4 address as that address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const hex = v4
          .split('.')
          .map(Number)
          .reduce<string[]>((acc, b, i) => (i % 2 ? [...acc.slice(0, -1), acc[acc.length - 1] + b.toString(16).padStart(2, '0')] : [...acc, b.toString(16).padStart(2, '0')]), []);
        const blocked = blockedReason(v4) !== null;
        expect(blockedReason(`::ffff:${v4}`) !== null).toBe(blocked);
        expect(blockedReason(`::ffff:${hex[0]}:${hex[1]}`) !== null).toBe(blocked);
        expect(blockedReason(`64:ff9b::${v4}`) !== null).toBe(blocked);
        expect(blockedReason(`2002:${hex[0]}:${hex[1]}::1`) !== null).toBe(blocked);
      }),
    );
  });
});
