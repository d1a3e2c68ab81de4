/**
 * The plaintext part of a connection before TLS: lines or framed messages read under a
 * deadline and a bound on the bytes, lines or bytes sent, and the server's words made fit for
 * a finding.
 */
import type { Socket } from 'node:net';
import { ConnectError, describeError } from '../connect-error';

/** The most a server may send before TLS starts: a greeting and a few answers fit many times over. */
export const MAX_PREAMBLE_BYTES = 64 * 1024;

/** How much of the server's words a finding quotes. */
const MAX_WORDS = 200;

/** When the dialogue must be over: the signal aborts at the check's timeout, `ms` is that timeout. */
export interface Deadline {
  signal: AbortSignal;
  ms: number;
}

/** The server's words for a message: control characters stripped, cut to a few hundred characters, quoted. */
export function serverWords(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return JSON.stringify(clean.length <= MAX_WORDS ? clean : `${clean.slice(0, MAX_WORDS - 1)}…`);
}

/**
 * What a server sent, for a message: its words when it is text, else its first bytes in hex
 * (a binary protocol's answer, or a binary answer where text was expected).
 */
export function serverBytes(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return serverWords(bytes.toString('utf8'));
  const shown = bytes.subarray(0, 32).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return `bytes ${shown}${bytes.length > 32 ? ' …' : ''}`;
}

/**
 * How a protocol's messages are framed: given what is buffered, the length of the first
 * complete message, or null while more bytes are needed. Bytes that cannot start a message
 * are best taken whole (their length), for the reader to say what came.
 */
export type Framing = (buffered: Buffer) => number | null;

/** Lines end with LF (CRLF in every one of these protocols; the CR is dropped by readLine). */
const LINE: Framing = (buffered) => {
  const newline = buffered.indexOf(0x0a);
  return newline < 0 ? null : newline + 1;
};

/** The server said no: STARTTLS_REFUSED with its words. */
export function refused(what: string, words: string): ConnectError {
  return new ConnectError('STARTTLS_REFUSED', `${what}: ${serverWords(words)}`);
}

/** The server spoke something else: HANDSHAKE_FAILED with what was expected and what came (text, or bytes shown as {@link serverBytes} does). */
export function unexpected(expecting: string, came: string | Buffer): ConnectError {
  return new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, got ${typeof came === 'string' ? serverWords(came) : serverBytes(came)}`);
}

/** Why no more lines come; told in terms of what was awaited. */
type Ending = (expecting: string) => ConnectError;

/** One TCP connection, read line by line until it is handed over to TLS. */
export class Conversation {
  private buffered: Buffer = Buffer.alloc(0);
  private received = 0;
  private ending: Ending | null = null;
  private pending: { expecting: string; framing: Framing; resolve: (message: Buffer) => void; reject: (err: ConnectError) => void } | null = null;
  /** Removes each listener this conversation added. */
  private readonly undo: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    deadline: Deadline,
  ) {
    this.listen('data', (chunk) => this.onData(chunk as Buffer));
    this.listen('end', () => this.end((expecting) => new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, but the server closed the connection${this.partial()}`)));
    this.listen('close', () => this.end((expecting) => new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, but the connection closed${this.partial()}`)));
    this.listen('error', (err) =>
      this.end((expecting) => new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, but the connection failed: ${describeError(err)}`, { cause: err })),
    );
    const onAbort = () => this.end((expecting) => new ConnectError('TIMEOUT', `no answer within ${deadline.ms} ms: expected ${expecting}${this.partial()}`), true);
    if (deadline.signal.aborted) onAbort();
    else {
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      this.undo.push(() => deadline.signal.removeEventListener('abort', onAbort));
    }
  }

  /** The local address, for a greeting that names the client (SMTP's EHLO). */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** Sends one line, with the CRLF every one of these protocols ends a line with. */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Sends bytes as they are (a binary request, or text without a line end). */
  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** The next line, without its line end; `expecting` says what it should be, for messages. */
  async readLine(expecting: string): Promise<string> {
    const line = await this.read(expecting, LINE);
    return line.toString('utf8').replace(/\r?\n$/, '');
  }

  /** The next message as `framing` delimits it; `expecting` says what it should be, for messages. */
  read(expecting: string, framing: Framing): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.pending = { expecting, framing, resolve, reject };
      this.pump();
    });
  }

  /**
   * Stops reading and gives the socket to TLS. Bytes the server sent after its last answer
   * would be read as if TLS had protected them (RFC 3207's warning): the connection is refused.
   */
  release(after: string): Socket {
    if (this.buffered.length > 0) {
      throw new ConnectError('HANDSHAKE_FAILED', `the server sent more after ${after}, before TLS could start: ${serverBytes(this.buffered)}`);
    }
    this.detach();
    return this.socket;
  }

  /** Stops listening; the caller destroys the socket or hands it on. */
  detach(): void {
    for (const undo of this.undo.splice(0)) undo();
  }

  private listen(event: string, listener: (arg: unknown) => void): void {
    this.socket.on(event, listener);
    this.undo.push(() => this.socket.off(event, listener));
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > MAX_PREAMBLE_BYTES) {
      this.end((expecting) => new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, but the server sent more than ${MAX_PREAMBLE_BYTES} bytes without it${this.partial()}`), true);
      return;
    }
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.pump();
  }

  /** No more lines: the first reason counts; `stop` also drops the connection (deadline, bound). */
  private end(ending: Ending, stop = false): void {
    this.ending ??= ending;
    if (stop) this.socket.destroy();
    this.pump();
  }

  private partial(): string {
    return this.buffered.length > 0 ? ` (it sent ${serverBytes(this.buffered.subarray(0, 256))})` : '';
  }

  private pump(): void {
    const pending = this.pending;
    if (!pending) return;
    const length = this.buffered.length > 0 ? pending.framing(this.buffered) : null;
    if (length !== null) {
      const message = this.buffered.subarray(0, length);
      this.buffered = this.buffered.subarray(length);
      this.pending = null;
      pending.resolve(message);
    } else if (this.ending) {
      this.pending = null;
      pending.reject(this.ending(pending.expecting));
    }
  }
}
