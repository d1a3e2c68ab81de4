import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** A validated target: where to connect and which name to check. */
export interface Target {
  /** Lower-case ASCII host name (punycode for IDNs) or an IP literal without brackets. */
  host: string;
  port: number;
  /** 0 for a host name, 4 or 6 for an IP literal. */
  ipVersion: 0 | 4 | 6;
  /** What the user wrote, for messages. */
  input: string;
}

/** Thrown for a target that must not be checked; the message is one line for the user. */
export class TargetError extends Error {
  override name = 'TargetError';
}

const DEFAULT_PORT = 443;
const ALLOWED_SCHEMES = new Set(['https', 'wss']);
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function fail(input: string, why: string): never {
  throw new TargetError(`invalid target "${input}": ${why}`);
}

function parsePort(input: string, text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  if (text === '') fail(input, 'no port after ":" (leave out the colon for 443)');
  if (!/^\d+$/.test(text)) fail(input, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(input, `port ${port} is outside 1-65535`);
  return port;
}

function normaliseHost(input: string, raw: string): Pick<Target, 'host' | 'ipVersion'> {
  if (raw === '') fail(input, 'no host');
  const version = isIP(raw);
  if (version === 4 || version === 6) return { host: raw.toLowerCase(), ipVersion: version };
  const withoutDot = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (/[\s/\\?#@%:[\]]/.test(withoutDot)) fail(input, `"${raw}" is not a valid host name`);
  const ascii = domainToASCII(withoutDot);
  if (ascii === '') fail(input, `"${raw}" is not a valid host name`);
  // domainToASCII turns numeric forms such as 127.1 into dotted quads; keep that as an IP.
  const asIp = isIP(ascii);
  if (asIp === 4) return { host: ascii, ipVersion: 4 };
  if (ascii.length > 253) fail(input, 'host name is longer than 253 characters');
  for (const label of ascii.split('.')) {
    if (label.length > 63) fail(input, `label "${label.slice(0, 20)}…" is longer than 63 characters`);
    if (!LABEL.test(label)) fail(input, `"${raw}" is not a valid host name`);
  }
  return { host: ascii, ipVersion: 0 };
}

/**
 * Parses `host`, `host:port`, `https://host[:port]/path`, `wss://…`, `[v6]:port` and bare
 * IPv4/IPv6 as the contract says. Throws {@link TargetError} for anything else.
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (text === '') fail(input, 'empty');
  if (/\s/.test(text)) fail(input, 'contains spaces');

  let rest = text;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (!ALLOWED_SCHEMES.has(name)) fail(input, `scheme "${name}" is not supported (use https:// or wss://)`);
    rest = text.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    if (end >= 0) rest = rest.slice(0, end);
  } else if (/[/?#]/.test(text)) {
    fail(input, 'a path needs a scheme (https://host/path)');
  }
  if (rest.includes('@')) fail(input, 'user information ("user@") is not allowed');

  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail(input, 'missing "]" after an IPv6 address');
    const inside = rest.slice(1, close);
    if (isIP(inside) !== 6) fail(input, `"${inside}" is not an IPv6 address`);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) fail(input, `unexpected "${after}" after "]"`);
    return { host: inside.toLowerCase(), ipVersion: 6, port: parsePort(input, after === '' ? undefined : after.slice(1)), input };
  }
  if (!scheme && isIP(rest) === 6) return { host: rest.toLowerCase(), ipVersion: 6, port: DEFAULT_PORT, input };
  const colons = rest.split(':').length - 1;
  if (colons > 1) {
    // A name or an IPv4 address before the first colon: a second port, not an unbracketed IPv6 address.
    const head = rest.slice(0, rest.indexOf(':'));
    if (isIP(head) === 4 || /[.g-z_]/i.test(head)) fail(input, 'more than one ":" (host:port takes one)');
    fail(input, 'an IPv6 address with a port must be written in brackets: [addr]:port');
  }
  const [host, port] = rest.split(':');
  return { ...normaliseHost(input, host), port: parsePort(input, colons === 1 ? port : undefined), input };
}

/** The contract's key for a target in storage: `<host>_<port>[_<address>]`, IPv6 colons as `-`. */
export function targetKey(host: string, port: number, address?: string): string {
  const parts = [host, String(port)];
  if (address !== undefined) parts.push(address);
  return parts.join('_').replace(/:/g, '-');
}

/** Formats host and port for people, with brackets around IPv6. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
