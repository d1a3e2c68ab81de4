/**
 * The WebSocket opening handshake (RFC 6455, section 4) of a `wss://` target, on a TLS
 * connection of its own: the upgrade request, the answer's head read within a deadline and a
 * size bound, then a clean close. It returns what it saw and judges nothing (lib/checks/websocket).
 */
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { formatHostPort } from '../target';
import { openTls } from './connect';
import { ConnectError, describeError } from './connect-error';
import type { Dialer } from './starttls';
import { serverWords } from './starttls/conversation';

/** The most read of the answer's head (status line and headers), in bytes. */
export const MAX_UPGRADE_HEAD_BYTES = 16 * 1024;

/** How long a clean close waits for the server to close its side, at most (and never past the deadline). */
const CLOSE_WAIT_MS = 500;

/** What the upgrade attempt saw. */
export interface UpgradeObservation {
  /** The request target sent (path and query). */
  path: string;
  /** The `Sec-WebSocket-Key` sent: 16 random bytes in base64. */
  key: string;
  /** The answer's status code; null when no HTTP status line came. */
  status: number | null;
  /** The answer's first line as the server's words (control characters stripped, cut, quoted); null when nothing came. */
  statusLine: string | null;
  /** The answer's `Upgrade`, `Connection` and `Sec-WebSocket-Accept` headers (repeats joined by ", "); null when absent. */
  upgrade: string | null;
  connection: string | null;
  accept: string | null;
  /** Why no complete answer was read (connection, time-out, size, not HTTP); null when one was. */
  error: string | null;
  /** From sending the request to the end of the answer's head (or the failure), in ms; null when no request went out. */
  ms: number | null;
}

export interface UpgradeOptions {
  /** The address the check connected to, and its port. */
  address: string;
  port: number;
  /** The target's dialer, as for the check's handshake (none for wss: TLS starts at once). */
  dial?: Dialer;
  /** SNI; omitted for IP-literal targets. */
  servername?: string;
  /** The target's host, for the `Host` header. */
  host: string;
  /** The request target (path and query). */
  path: string;
  /** One deadline for the whole attempt: connection, handshake, request and answer. */
  timeoutMs: number;
}

/** The `Host` header of a wss target: the host (IPv6 in brackets), with the port unless it is 443. */
export function hostHeader(host: string, port: number): string {
  const hostPort = formatHostPort(host, port);
  return port === 443 ? hostPort.slice(0, hostPort.lastIndexOf(':')) : hostPort;
}

/** The upgrade request of RFC 6455, section 4.1. */
export function upgradeRequest(path: string, host: string, key: string): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
}

/** A close frame from the client (RFC 6455, section 5.5.1): final, opcode 8, masked, the status code as payload. */
export function closeFrame(code: number): Buffer {
  const mask = randomBytes(4);
  const frame = Buffer.alloc(8);
  frame[0] = 0x80 | 0x8;
  frame[1] = 0x80 | 2;
  mask.copy(frame, 2);
  frame.writeUInt16BE(code, 6);
  for (let i = 0; i < 2; i++) frame[6 + i] ^= mask[i];
  return frame;
}

/** The parts of the answer's head the check needs. */
type Head = Pick<UpgradeObservation, 'status' | 'statusLine' | 'upgrade' | 'connection' | 'accept'>;

const NO_HEAD: Head = { status: null, statusLine: null, upgrade: null, connection: null, accept: null };

/** The status line alone, once it has come (the head may be cut short). */
function statusOf(bytes: Buffer): Pick<Head, 'status' | 'statusLine'> {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n');
  const line = end >= 0 ? text.slice(0, end) : text;
  if (line === '') return { status: null, statusLine: null };
  const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(line);
  return { status: match ? Number(match[1]) : null, statusLine: serverWords(line) };
}

/** Parses a complete head (without its blank line). */
export function parseHead(head: Buffer): Head {
  const lines = head.toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return {
    ...statusOf(head),
    upgrade: headers.get('upgrade') ?? null,
    connection: headers.get('connection') ?? null,
    accept: headers.get('sec-websocket-accept') ?? null,
  };
}

/**
 * Makes the WebSocket opening handshake on a new TLS connection (ALPN http/1.1) and reports the
 * answer. Never throws: what went wrong is the observation's `error`. Never leaves a socket open:
 * after a 101 it sends a close frame (1000) and ends the connection, after anything else it ends
 * it; a server that does not close its side within a moment is cut off.
 */
export async function probeWebSocketUpgrade(opts: UpgradeOptions): Promise<UpgradeObservation> {
  const key = randomBytes(16).toString('base64');
  const base = { path: opts.path, key };
  const controller = new AbortController();
  const started = performance.now();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  const deadline = { signal: controller.signal, ms: opts.timeoutMs };
  try {
    let socket: TLSSocket;
    try {
      socket = await openTls({ address: opts.address, port: opts.port, dial: opts.dial, servername: opts.servername, alpn: ['http/1.1'], deadline });
    } catch (err) {
      const why = err instanceof ConnectError ? err.message : describeError(err);
      return { ...base, ...NO_HEAD, error: `no TLS connection for the upgrade (${why})`, ms: null };
    }
    const answer = await exchange(socket, upgradeRequest(opts.path, hostHeader(opts.host, opts.port), key), deadline);
    const leftMs = opts.timeoutMs - (performance.now() - started);
    await close(socket, answer.error === null && answer.status === 101, Math.max(0, Math.min(CLOSE_WAIT_MS, leftMs)));
    return { ...base, ...answer };
  } finally {
    clearTimeout(timer);
  }
}

/** Sends the request and reads the answer's head, within the deadline and the size bound. */
function exchange(socket: TLSSocket, request: string, deadline: { signal: AbortSignal; ms: number }): Promise<Omit<UpgradeObservation, 'path' | 'key'>> {
  return new Promise((resolve) => {
    const sent = performance.now();
    const chunks: Buffer[] = [];
    let length = 0;

    function done(head: Head, error: string | null): void {
      deadline.signal.removeEventListener('abort', onAbort);
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      resolve({ ...head, error, ms: Math.round(performance.now() - sent) });
    }
    /** What has come so far, for an answer cut short. */
    const partial = (): Head => ({ ...NO_HEAD, ...statusOf(Buffer.concat(chunks)) });

    function onData(chunk: Buffer): void {
      // Only the tail can complete the blank line: search from just before the new chunk.
      const from = Math.max(0, length - 3);
      chunks.push(chunk);
      length += chunk.length;
      const bytes = Buffer.concat(chunks);
      const end = bytes.indexOf('\r\n\r\n', from, 'latin1');
      if (end >= 0 && end <= MAX_UPGRADE_HEAD_BYTES) {
        const head = parseHead(bytes.subarray(0, end));
        return done(head, head.status === null ? `the server did not answer in HTTP/1.1` : null);
      }
      if (length > MAX_UPGRADE_HEAD_BYTES) done(partial(), `the answer's head is larger than ${MAX_UPGRADE_HEAD_BYTES} bytes`);
    }
    const onEnd = () => done(partial(), length === 0 ? 'the server closed the connection without an answer' : 'the server closed the connection before the end of its answer');
    const onError = (err: Error) => done(partial(), `the connection failed: ${describeError(err)}`);
    const onAbort = () => done(partial(), `no complete answer within ${deadline.ms} ms`);

    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.write(request);
  });
}

/**
 * Ends the connection: a close frame first when it was upgraded, then close_notify and FIN; waits
 * up to `waitMs` for the server to close its side (anything it sends meanwhile is dropped), then
 * lets go.
 */
function close(socket: TLSSocket, upgraded: boolean, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('close', finish);
    if (socket.destroyed) return finish();
    if (upgraded) socket.write(closeFrame(1000));
    socket.end();
  });
}
