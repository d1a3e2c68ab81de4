import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { TargetSettings } from './target-settings';

/** The plaintext dialogues that lead to TLS on a connection (lib/tls/starttls). */
export type StarttlsDialogue = 'smtp' | 'imap' | 'pop3' | 'ftp' | 'ldap' | 'xmpp' | 'postgres';

/** How a scheme reaches TLS: its default port, and the dialogue before the handshake (null: TLS at once). */
export interface Scheme {
  port: number;
  starttls: StarttlsDialogue | null;
}

/** The schemes a target may carry. A bare `host[:port]` is `https`. */
export const SCHEMES = {
  https: { port: 443, starttls: null },
  wss: { port: 443, starttls: null },
  smtps: { port: 465, starttls: null },
  imaps: { port: 993, starttls: null },
  pop3s: { port: 995, starttls: null },
  ldaps: { port: 636, starttls: null },
  ftps: { port: 990, starttls: null },
  smtp: { port: 25, starttls: 'smtp' },
  submission: { port: 587, starttls: 'smtp' },
  imap: { port: 143, starttls: 'imap' },
  pop3: { port: 110, starttls: 'pop3' },
  ftp: { port: 21, starttls: 'ftp' },
  ldap: { port: 389, starttls: 'ldap' },
  xmpp: { port: 5222, starttls: 'xmpp' },
  postgres: { port: 5432, starttls: 'postgres' },
} as const satisfies Record<string, Scheme>;

export type Protocol = keyof typeof SCHEMES;

/** The protocol of a bare `host[:port]`, and of reports stored before targets had one. */
export const DEFAULT_PROTOCOL: Protocol = 'https';

/** A validated target: where to connect, how to reach TLS there and which name to check. */
export interface Target {
  /** Lower-case ASCII host name (punycode for IDNs) or an IP literal without brackets. */
  host: string;
  port: number;
  /** The scheme, lower-case; `https` for a bare host. */
  protocol: Protocol;
  /** 0 for a host name, 4 or 6 for an IP literal. */
  ipVersion: 0 | 4 | 6;
  /** What the user wrote, for messages. */
  input: string;
  /** A structured targets file's settings for this target (absent: the run's). */
  settings?: TargetSettings;
  /**
   * For `wss` only: the request target of the WebSocket upgrade, path and query (`/socket?v=2`),
   * `/` when none was written; normalised and percent-encoded as a browser's WebSocket would.
   * Not part of the target's key: one host and port is one target, whatever its path.
   */
  path?: string;
}

/** Thrown for a target that must not be checked; the message is one line for the user. */
export class TargetError extends Error {
  override name = 'TargetError';
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function fail(input: string, why: string): never {
  throw new TargetError(`invalid target "${input}": ${why}`);
}

function isProtocol(name: string): name is Protocol {
  return Object.hasOwn(SCHEMES, name);
}

function parsePort(input: string, text: string | undefined, protocol: Protocol): number {
  const defaultPort = SCHEMES[protocol].port;
  if (text === undefined) return defaultPort;
  if (text === '') fail(input, `no port after ":" (leave out the colon for ${defaultPort})`);
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
 * Parses `host`, `host:port`, `<scheme>://host[:port]/path` (the schemes of {@link SCHEMES}),
 * `[v6]:port` and bare IPv4/IPv6 as the contract says. Throws {@link TargetError} for anything else.
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (text === '') fail(input, 'empty');
  if (/\s/.test(text)) fail(input, 'contains spaces');

  let rest = text;
  let protocol: Protocol = DEFAULT_PROTOCOL;
  let path: string | undefined;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (!isProtocol(name)) fail(input, `scheme "${name}" is not supported (use ${Object.keys(SCHEMES).join(', ')})`);
    protocol = name;
    rest = text.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    if (end >= 0) {
      if (protocol === 'wss') path = requestPath(input, rest.slice(end));
      rest = rest.slice(0, end);
    } else if (protocol === 'wss') {
      path = '/';
    }
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
    return withPath({ host: inside.toLowerCase(), ipVersion: 6, port: parsePort(input, after === '' ? undefined : after.slice(1), protocol), protocol, input }, path);
  }
  if (!scheme && isIP(rest) === 6) return { host: rest.toLowerCase(), ipVersion: 6, port: SCHEMES[protocol].port, protocol, input };
  const colons = rest.split(':').length - 1;
  if (colons > 1) {
    // A name or an IPv4 address before the first colon: a second port, not an unbracketed IPv6 address.
    const head = rest.slice(0, rest.indexOf(':'));
    if (isIP(head) === 4 || /[.g-z_]/i.test(head)) fail(input, 'more than one ":" (host:port takes one)');
    fail(input, 'an IPv6 address with a port must be written in brackets: [addr]:port');
  }
  const [host, port] = rest.split(':');
  return withPath({ ...normaliseHost(input, host), port: parsePort(input, colons === 1 ? port : undefined, protocol), protocol, input }, path);
}

/** The target with its upgrade path, when it has one (wss); other targets carry no `path` at all. */
function withPath(target: Target, path: string | undefined): Target {
  return path === undefined ? target : { ...target, path };
}

/**
 * The request target of a WebSocket upgrade from what follows the host (`/socket?v=2#top`): path
 * and query, without the fragment, as the WHATWG URL parser (a browser's `new WebSocket`) makes
 * them: dot segments resolved, anything outside ASCII percent-encoded.
 */
function requestPath(input: string, afterHost: string): string {
  let url: URL;
  try {
    url = new URL(`wss://host${afterHost}`);
  } catch {
    fail(input, `"${afterHost}" is not a valid path`);
  }
  return `${url.pathname}${url.search}`;
}

/**
 * The contract's key for a target in storage: `<host>_<port>[_<address>]`, IPv6 colons as `-`.
 * A target reached by STARTTLS is a different service from implicit TLS on the same port, so
 * its key starts with the scheme and a `~` (never in a host name, safe in file names and URLs):
 * `smtp~mail.example.com_25`. Implicit TLS keeps the plain key, whatever its scheme.
 */
export function targetKey(host: string, port: number, address?: string, protocol: Protocol = DEFAULT_PROTOCOL): string {
  const parts = [host, String(port)];
  if (address !== undefined) parts.push(address);
  const key = parts.join('_').replace(/:/g, '-');
  return SCHEMES[protocol]?.starttls ? `${protocol}~${key}` : key;
}

/**
 * Formats a target for people: `host:port`, with brackets around IPv6, and the scheme where it
 * is more than TLS: reached by STARTTLS (`smtp://mail:25`), or a WebSocket endpoint whose
 * upgrade is checked too (`wss://chat:443`).
 */
export function formatTarget(target: { host: string; port: number; protocol?: Protocol }): string {
  const hostPort = formatHostPort(target.host, target.port);
  const shown = target.protocol === 'wss' || (target.protocol !== undefined && SCHEMES[target.protocol]?.starttls);
  return shown ? `${target.protocol}://${hostPort}` : hostPort;
}

/** Formats host and port for people, with brackets around IPv6. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
