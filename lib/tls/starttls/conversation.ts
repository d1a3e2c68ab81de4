/**
 * The plaintext part of a connection before TLS: lines read under a deadline and a bound on
 * the bytes, lines sent, and the server's words made fit for a finding.
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

/** The server said no: STARTTLS_REFUSED with its words. */
export function refused(what: string, words: string): ConnectError {
  return new ConnectError('STARTTLS_REFUSED', `${what}: ${serverWords(words)}`);
}

/** The server spoke something else: HANDSHAKE_FAILED with what was expected and what came. */
export function unexpected(expecting: string, words: string): ConnectError {
  return new ConnectError('HANDSHAKE_FAILED', `expected ${expecting}, got ${serverWords(words)}`);
}

/** Why no more lines come; told in terms of what was awaited. */
type Ending = (expecting: string) => ConnectError;

/** One TCP connection, read line by line until it is handed over to TLS. */
export class Conversation {
  private buffered: Buffer = Buffer.alloc(0);
  private received = 0;
  private ending: Ending | null = null;
  private pending: { expecting: string; resolve: (line: string) => void; reject: (err: ConnectError) => void } | null = null;
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

  /** The next line, without its line end; `expecting` says what it should be, for messages. */
  readLine(expecting: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending = { expecting, resolve, reject };
      this.pump();
    });
  }

  /**
   * Stops reading and gives the socket to TLS. Bytes the server sent after its last answer
   * would be read as if TLS had protected them (RFC 3207's warning): the connection is refused.
   */
  release(after: string): Socket {
    if (this.buffered.length > 0) {
      throw new ConnectError('HANDSHAKE_FAILED', `the server sent more after ${after}, before TLS could start: ${serverWords(this.buffered.toString('utf8'))}`);
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
    return this.buffered.length > 0 ? ` (it sent ${serverWords(this.buffered.subarray(0, 256).toString('utf8'))})` : '';
  }

  private pump(): void {
    const pending = this.pending;
    if (!pending) return;
    const newline = this.buffered.indexOf(0x0a);
    if (newline >= 0) {
      const line = this.buffered.subarray(0, newline).toString('utf8').replace(/\r$/, '');
      this.buffered = this.buffered.subarray(newline + 1);
      this.pending = null;
      pending.resolve(line);
    } else if (this.ending) {
      this.pending = null;
      pending.reject(this.ending(pending.expecting));
    }
  }
}
