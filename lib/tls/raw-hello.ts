/**
 * A TLS ClientHello written byte by byte, and the server's first flight read up to its
 * certificates (TLS 1.2 and older send them in the clear), for what Node's TLS client cannot ask:
 * suites its OpenSSL no longer has, and a version offer that costs no TLS socket. Nothing here
 * completes a handshake.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describeError } from './connect-error';
import type { ProbeTarget } from './resume';


/** What the server chose: the version and suite, and the certificates it sent (none for an anonymous suite, or when only the ServerHello was read). */
export interface ServerChoice {
  protocol: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
  cipher: string;
  chain: X509Certificate[];
}

const PROTOCOLS: Record<number, ServerChoice['protocol']> = { 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2' };
/** More than any first flight needs (a chain of a few certificates), less than a hostile server could send. */
const MAX_FLIGHT_BYTES = 256 * 1024;

const HANDSHAKE = 22;
const ALERT = 21;
const SERVER_HELLO = 2;
const CERTIFICATE = 11;
const SERVER_HELLO_DONE = 14;

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

function u24(n: number): Buffer {
  return Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

function vector16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vector16(body)]);
}

/**
 * A ClientHello record offering `version` at most (0x0303 TLS 1.2, 0x0302 TLS 1.1) and the suites of `offered`,
 * with what ECDHE and TLS 1.2 signatures need.
 */
export function clientHello(servername: string | undefined, version: number, offered: ReadonlyMap<number, string>): Buffer {
  const sni = servername ? [extension(0x0000, vector16(Buffer.concat([Buffer.from([0]), vector16(Buffer.from(servername, 'ascii'))])))] : [];
  const extensions = Buffer.concat([...sni, COMMON_EXTENSIONS]);
  const body = Buffer.concat([u16(version), randomBytes(32), Buffer.from([0]), suiteVector(offered), Buffer.from([1, 0]), vector16(extensions)]);
  const message = Buffer.concat([Buffer.from([1]), u24(body.length), body]);
  return Buffer.concat([Buffer.from([HANDSHAKE]), u16(0x0301), vector16(message)]);
}

/** The extensions every hello carries beside SNI: the same bytes for every target. */
const COMMON_EXTENSIONS = Buffer.concat([
  // supported_groups: x25519, secp256r1, secp384r1
  extension(0x000a, vector16(Buffer.concat([0x001d, 0x0017, 0x0018].map(u16)))),
  // ec_point_formats: uncompressed
  extension(0x000b, Buffer.from([1, 0])),
  // signature_algorithms: RSA PKCS#1 and ECDSA with SHA-256/384/512/SHA-1, RSA-PSS
  extension(0x000d, vector16(Buffer.concat([0x0401, 0x0501, 0x0601, 0x0201, 0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0402, 0x0202].map(u16)))),
]);

/** Each offer's cipher_suites vector, written once (a probe sends the same offer to every target). */
const SUITE_VECTORS = new WeakMap<ReadonlyMap<number, string>, Buffer>();

function suiteVector(offered: ReadonlyMap<number, string>): Buffer {
  let vector = SUITE_VECTORS.get(offered);
  if (!vector) {
    vector = vector16(Buffer.concat([...[...offered.keys()].map(u16), u16(0x00ff) /* renegotiation SCSV */]));
    SUITE_VECTORS.set(offered, vector);
  }
  return vector;
}

/** The server's first flight, read message by message; null until it says enough. */
class FlightReader {
  private records: Buffer = Buffer.alloc(0);
  private messages: Buffer = Buffer.alloc(0);
  private hello: { protocol: ServerChoice['protocol']; cipher: string } | null = null;
  private read = 0;

  /** `helloOnly`: done at the ServerHello (its chain then empty). */
  constructor(
    private readonly offered: ReadonlyMap<number, string>,
    private readonly helloOnly: boolean,
  ) {}

  /** The observation once the certificates (or, anonymous, the end of the flight) came; throws at anything else. */
  push(chunk: Buffer): ServerChoice | null {
    this.read += chunk.length;
    if (this.read > MAX_FLIGHT_BYTES) throw new Error(`the server sent more than ${MAX_FLIGHT_BYTES} bytes before its certificates`);
    // Most answers come in one chunk: nothing to join it to.
    this.records = this.records.length === 0 ? chunk : Buffer.concat([this.records, chunk]);
    while (this.records.length >= 5) {
      const type = this.records[0];
      // Said at once, not after waiting for a "record" of whatever length the bytes spell.
      if (type !== HANDSHAKE && type !== ALERT) throw new Error(`the server sent a record of type ${type}, not TLS`);
      const length = this.records.readUInt16BE(3);
      if (this.records.length < 5 + length) break;
      const fragment = this.records.subarray(5, 5 + length);
      this.records = this.records.subarray(5 + length);
      if (type === ALERT) throw new Error(`the server refused with alert ${fragment[1] ?? '?'}`);
      this.messages = this.messages.length === 0 ? fragment : Buffer.concat([this.messages, fragment]);
      const seen = this.readMessages();
      if (seen) return seen;
    }
    return null;
  }

  private readMessages(): ServerChoice | null {
    while (this.messages.length >= 4) {
      const length = this.messages.readUIntBE(1, 3);
      if (this.messages.length < 4 + length) return null;
      const type = this.messages[0];
      const body = this.messages.subarray(4, 4 + length);
      this.messages = this.messages.subarray(4 + length);
      if (type === SERVER_HELLO) {
        this.hello = serverHello(body, this.offered);
        if (this.helloOnly) return { ...this.hello, chain: [] };
      } else if (!this.hello) throw new Error(`the server sent handshake message ${type} before its ServerHello`);
      else if (type === CERTIFICATE) return { ...this.hello, chain: certificates(body) };
      else if (type === SERVER_HELLO_DONE) return { ...this.hello, chain: [] };
    }
    return null;
  }
}

function serverHello(body: Buffer, offered: ReadonlyMap<number, string>): { protocol: ServerChoice['protocol']; cipher: string } {
  const protocol = PROTOCOLS[body.readUInt16BE(0)];
  if (!protocol) throw new Error(`the server chose version 0x${body.readUInt16BE(0).toString(16)}`);
  const at = 2 + 32 + 1 + body[34];
  const code = body.readUInt16BE(at);
  const cipher = offered.get(code);
  if (!cipher) throw new Error(`the server chose suite 0x${code.toString(16)}, which was not offered`);
  return { protocol, cipher };
}

function certificates(body: Buffer): X509Certificate[] {
  const end = Math.min(body.length, 3 + body.readUIntBE(0, 3));
  const chain: X509Certificate[] = [];
  for (let at = 3; at + 3 <= end; ) {
    const length = body.readUIntBE(at, 3);
    chain.push(new X509Certificate(body.subarray(at + 3, at + 3 + length)));
    at += 3 + length;
  }
  return chain;
}

/** A TCP connection to the target (no dialer); rejects, leaving nothing open, once `signal` aborts before it opens. */
export function openTcp(target: Pick<ProbeTarget, 'address' | 'port'>, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // The abort is heard here rather than handed to connect(): cheaper, for one connection a check.
    const socket = connect({ host: target.address, port: target.port });
    const onAbort = () => {
      socket.destroy();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}



/** What a hand-written hello got: the server's choice, or why there is none and whether the server said no. */
export interface HelloAnswer {
  seen: ServerChoice | null;
  /** `refused`: the server answered with an alert, a close or something that is not a ServerHello; `failed`: no connection or no answer in time. */
  outcome: 'answered' | 'refused' | 'failed';
  detail: string;
}

/**
 * Sends a hand-written ClientHello offering `version` at most and `offered`, through the
 * target's dialer and within its timeout, and reads the answer up to the certificates (or the
 * ServerHello alone, `helloOnly`). Never rejects; never leaves a socket open.
 */
export async function sendHello(target: ProbeTarget, version: number, offered: ReadonlyMap<number, string>, helloOnly: boolean): Promise<HelloAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), target.timeoutMs);
  let socket: Socket | undefined;
  try {
    socket = target.dial
      ? await target.dial(target.address, target.port, { signal: controller.signal, ms: target.timeoutMs })
      : await openTcp(target, controller.signal);
    const open = socket;
    const reader = new FlightReader(offered, helloOnly);
    return await new Promise<HelloAnswer>((resolve) => {
      const done = (answer: HelloAnswer) => {
        open.removeAllListeners('data');
        resolve(answer);
      };
      controller.signal.addEventListener('abort', () => done({ seen: null, outcome: 'failed', detail: `no answer within ${target.timeoutMs} ms` }), { once: true });
      open.on('data', (chunk: Buffer) => {
        try {
          const seen = reader.push(chunk);
          if (seen) done({ seen, outcome: 'answered', detail: '' });
        } catch (err) {
          done({ seen: null, outcome: 'refused', detail: (err as Error).message });
        }
      });
      open.on('error', (err) => done({ seen: null, outcome: 'refused', detail: `the connection failed: ${describeError(err)}` }));
      open.on('close', () => done({ seen: null, outcome: 'refused', detail: 'the server closed the connection' }));
      open.write(clientHello(target.servername, version, offered));
    });
  } catch (err) {
    const timedOut = controller.signal.aborted;
    return { seen: null, outcome: 'failed', detail: timedOut ? `no connection within ${target.timeoutMs} ms` : describeError(err) };
  } finally {
    clearTimeout(timer);
    socket?.on('error', () => undefined);
    socket?.destroy();
  }
}
