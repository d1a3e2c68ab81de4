/**
 * Which addresses the HTTP door may connect to: a pure classifier over IP addresses, so that
 * every range can be tested without sending a packet. It sees the address after resolution,
 * so odd spellings (`127.1`, `2130706433`, `0x7f000001`, `localhost`) are judged by what they
 * resolve to, and IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * judged by the IPv4 address inside.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface Range {
  bytes: number[];
  bits: number;
  why: string;
}

function v4Range(cidr: string, why: string): Range {
  const [address, bits] = cidr.split('/');
  return { bytes: address.split('.').map(Number), bits: Number(bits), why };
}

function v6Range(cidr: string, why: string): Range {
  const [address, bits] = cidr.split('/');
  return { bytes: ipv6Bytes(address), bits: Number(bits), why };
}

const V4_BLOCKED: Range[] = [
  v4Range('0.0.0.0/8', 'unspecified ("this network")'),
  v4Range('10.0.0.0/8', 'private'),
  v4Range('100.64.0.0/10', 'shared address space (CGNAT)'),
  v4Range('127.0.0.0/8', 'loopback'),
  v4Range('169.254.0.0/16', 'link-local (cloud metadata lives here)'),
  v4Range('172.16.0.0/12', 'private'),
  v4Range('192.0.0.0/24', 'reserved (IETF protocol assignments)'),
  v4Range('192.0.2.0/24', 'reserved (documentation)'),
  v4Range('192.88.99.0/24', 'reserved (6to4 relay anycast)'),
  v4Range('192.168.0.0/16', 'private'),
  v4Range('198.18.0.0/15', 'reserved (benchmarking)'),
  v4Range('198.51.100.0/24', 'reserved (documentation)'),
  v4Range('203.0.113.0/24', 'reserved (documentation)'),
  v4Range('224.0.0.0/4', 'multicast'),
  v4Range('240.0.0.0/4', 'reserved (incl. broadcast)'),
];

/** IPv6 ranges that wrap an IPv4 address in their last 32 bits (6to4 is handled apart). */
const V6_EMBEDDING_V4: Range[] = [
  v6Range('::ffff:0:0/96', 'IPv4-mapped'),
  v6Range('64:ff9b::/96', 'NAT64'),
];

const V6_BLOCKED: Range[] = [
  v6Range('::/128', 'unspecified'),
  v6Range('::1/128', 'loopback'),
  v6Range('64:ff9b:1::/48', 'NAT64 (local use)'),
  v6Range('100::/64', 'reserved (discard-only)'),
  v6Range('2001::/23', 'reserved (IETF protocol assignments, incl. Teredo)'),
  v6Range('2001:db8::/32', 'reserved (documentation)'),
  v6Range('3fff::/20', 'reserved (documentation)'),
  v6Range('fc00::/7', 'private (unique local)'),
  v6Range('fe80::/10', 'link-local'),
  v6Range('fec0::/10', 'site-local'),
  v6Range('ff00::/8', 'multicast'),
];

const V6_GLOBAL_UNICAST = v6Range('2000::/3', 'global unicast');

function inRange(bytes: number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (range.bytes[i] & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (a zone such as `%eth0` is dropped). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0];
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1].split('.').map(Number));
    text = text.slice(0, -dotted[1].length) + '0:0';
  }
  const [head, rest] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...restGroups];
  const bytes = groups.flatMap((g) => {
    const value = parseInt(g, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function v4Reason(bytes: number[]): string | null {
  return V4_BLOCKED.find((range) => inRange(bytes, range))?.why ?? null;
}

/**
 * Why the HTTP door must not connect to `address`, or null when it may. `address` is an IP
 * address as resolved; anything else is refused as not an address.
 */
export function blockedReason(address: string): string | null {
  if (isIPv4(address)) return v4Reason(address.split('.').map(Number));
  if (!isIPv6(address)) return 'not an IP address';
  const bytes = ipv6Bytes(address);
  const fixed = V6_BLOCKED.find((range) => inRange(bytes, range));
  if (fixed) return fixed.why;
  const wrapper = V6_EMBEDDING_V4.find((range) => inRange(bytes, range));
  if (wrapper) {
    const inner = v4Reason(bytes.slice(12));
    return inner && `${wrapper.why} ${inner}`;
  }
  // IPv4-compatible (::a.b.c.d, deprecated): the IPv4 address decides, public ones included.
  if (bytes.slice(0, 12).every((b) => b === 0)) {
    const inner = v4Reason(bytes.slice(12));
    return inner && `IPv4-compatible ${inner}`;
  }
  // 6to4 (2002::/16) carries an IPv4 address in bits 16–48.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    const inner = v4Reason(bytes.slice(2, 6));
    return inner && `6to4 ${inner}`;
  }
  if (!inRange(bytes, V6_GLOBAL_UNICAST)) return 'reserved (outside global unicast)';
  return null;
}
