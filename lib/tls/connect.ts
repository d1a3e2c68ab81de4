/**
 * The only place that opens TLS connections. One call is one handshake; it returns what was
 * observed (protocol, cipher, the chain in wire order, the session) and judges nothing.
 */
import { constants, type X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect, createSecureContext, type ConnectionOptions, type SecureContext, type SecureVersion, type TLSSocket, type TLSSocketOptions } from 'node:tls';
import { ConnectError, describeError } from './connect-error';
import { withoutPeerCertificate } from './session';
import type { Dialer } from './starttls';
import type { Deadline } from './starttls/conversation';

export { ConnectError, type ConnectFailure } from './connect-error';

export interface HandshakeOptions {
  /** The address to connect to (an IP literal). */
  address: string;
  port: number;
  /**
   * Opens the connection and runs the protocol's plaintext preamble (STARTTLS), within the same
   * timeout as the handshake; absent: TLS starts as soon as TCP connects (implicit TLS).
   */
  dial?: Dialer;
  /** SNI; omitted for IP-literal targets. */
  servername?: string;
  timeoutMs: number;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** Ask the server for no tickets (SSL_OP_NO_TICKET), so only a session ID can resume. */
  noTicket?: boolean;
  /** A saved session to resume. */
  session?: Buffer;
  /**
   * Take a session to resume with, waiting up to this long after the handshake for it (TLS 1.3
   * sends it late). 0 or absent: no session is wanted.
   */
  sessionWaitMs?: number;
  /**
   * After a TLS 1.3 resumption a server sends its new ticket about a round trip after the
   * handshake; wait only a little for it (the caller can go on without).
   */
  briefSessionWait?: boolean;
  /** Collect the presented chain (the first connection does; resumption probes need not). */
  collectChain?: boolean;
  /** Ask for a stapled OCSP response (status_request); the first connection does. */
  requestOcsp?: boolean;
  /** Called once the handshake is complete, before any wait for a session. */
  onSecure?: (protocol: string) => void;
}

export interface Handshake {
  protocol: string;
  cipher: string;
  /** The server's own signal that it resumed the offered session (abbreviated handshake). */
  resumed: boolean;
  /** Certificates in the order the server sent them, leaf first. */
  chain: X509Certificate[];
  /** A session to resume with, when the server gave one (the newest). */
  session: Buffer | null;
  /** Every session the server gave, oldest first (TLS 1.3 servers send several tickets). */
  sessions: Buffer[];
  /** Whether the session carries a ticket (RFC 5077 or a TLS 1.3 PSK ticket). */
  hasTicket: boolean;
  /** Why no session could be taken, when a wait was asked for and none came. */
  sessionProblem: string | null;
  /**
   * Why the connection failed after the handshake had completed, while a session was still
   * awaited (a server that resets right after it); null when it did not. The handshake counts.
   */
  failedAfterHandshake: string | null;
  /** The stapled OCSP response (DER), when one was asked for and the server sent it. */
  ocspResponse: Buffer | null;
  handshakeMs: number;
}

/**
 * Ciphers for a checking client: anything that authenticates the server (weak crypto is a
 * finding, not a failure), the NULL suites last (OpenSSL appends them after ALL), so that a
 * server that would choose one is seen choosing it; but no anonymous suites, which would carry
 * no certificate at all. Security level 0 lets TLS 1.0 and 1.1 be offered (OpenSSL 3).
 */
const PERMISSIVE_CIPHERS = 'ALL:eNULL:!aNULL:@SECLEVEL=0';

const contexts = new Map<string, SecureContext>();

/**
 * One client context per set of protocol options, made once: building a context (and loading
 * its CA store) costs more than the handshake's own client-side work. Node keeps no client
 * session cache in it, so a shared context never resumes a session by itself.
 */
function clientContext(minVersion: SecureVersion, maxVersion: SecureVersion, noTicket: boolean): SecureContext {
  const key = `${minVersion}/${maxVersion}/${noTicket}`;
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({
      // No CA store: the verdict is the validator's (lib/x509), and loading Node's roots into
      // OpenSSL costs each process about 50 ms of CPU for nothing.
      ca: [],
      minVersion,
      maxVersion,
      ciphers: PERMISSIVE_CIPHERS,
      secureOptions: noTicket ? constants.SSL_OP_NO_TICKET : 0,
    });
    contexts.set(key, context);
  }
  return context;
}

/** A session to offer later, made cheap to offer (see withoutPeerCertificate). */
function slim(session: Buffer): Buffer {
  try {
    return withoutPeerCertificate(session);
  } catch {
    return session;
  }
}

/** The presented chain in wire order, from the peer certificate's issuer links. */
function presentedChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (cert && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Performs one TLS handshake and reports what it saw, dialing through `opts.dial` when given.
 * One timeout covers the connection, the preamble and the handshake. Never leaves a socket open.
 */
export async function handshake(opts: HandshakeOptions): Promise<Handshake> {
  if (!opts.dial) return tlsHandshake(opts, null, performance.now());
  const dialStarted = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let socket: Socket;
  try {
    socket = await opts.dial(opts.address, opts.port, { signal: controller.signal, ms: opts.timeoutMs });
  } finally {
    clearTimeout(timer);
  }
  return tlsHandshake(opts, socket, dialStarted);
}

export interface OpenTlsOptions extends Pick<HandshakeOptions, 'address' | 'port' | 'dial' | 'servername'> {
  /** The application protocols offered by ALPN, e.g. `['http/1.1']`. */
  alpn: string[];
  /** Covers the connection, the preamble and the handshake; its abort ends the attempt. */
  deadline: Deadline;
}

/**
 * Opens a TLS connection for an exchange after the check's handshake (the WebSocket upgrade):
 * the same dialer, SNI and client context as {@link handshake}, and the same trust decision, none
 * (the certificates were judged on the check's own connection). Resolves with the connected
 * socket, which the caller then owns; rejects with a {@link ConnectError}, leaving nothing open.
 */
export async function openTls(opts: OpenTlsOptions): Promise<TLSSocket> {
  const open = opts.dial ? await opts.dial(opts.address, opts.port, opts.deadline) : null;
  return new Promise((resolve, reject) => {
    const { signal, ms } = opts.deadline;
    let tcpConnected = open !== null;
    const socket = connect({
      ...(open ? { socket: open } : { host: opts.address, port: opts.port }),
      servername: opts.servername,
      rejectUnauthorized: false,
      secureContext: clientContext('TLSv1', 'TLSv1.3', false),
      ALPNProtocols: opts.alpn,
    });
    const onConnect = () => (tcpConnected = true);
    const onAbort = () => settle(new ConnectError('TIMEOUT', tcpConnected ? `no TLS handshake within ${ms} ms` : `no connection within ${ms} ms`));
    const onError = (err: Error) =>
      settle(
        tcpConnected
          ? new ConnectError('HANDSHAKE_FAILED', `TLS handshake failed: ${describeError(err)}`, { cause: err })
          : new ConnectError('CONNECTION_FAILED', `connection failed: ${describeError(err)}`, { cause: err }),
      );
    const onClose = () => settle(new ConnectError('HANDSHAKE_FAILED', 'TLS handshake failed: the server closed the connection'));
    const onSecure = () => settle(null);

    function settle(err: ConnectError | null): void {
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect).off('error', onError).off('close', onClose).off('secureConnect', onSecure);
      if (err === null) return resolve(socket);
      socket.on('error', () => undefined);
      socket.destroy();
      reject(err);
    }

    socket.on('connect', onConnect).on('error', onError).on('close', onClose).on('secureConnect', onSecure);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The handshake itself: on a new connection, or on `open`, an already connected socket whose preamble is done. */
function tlsHandshake(opts: HandshakeOptions, open: Socket | null, dialStarted: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let tcpConnected = open !== null;
    let facts: Omit<Handshake, 'session' | 'sessions' | 'hasTicket' | 'sessionProblem' | 'failedAfterHandshake' | 'ocspResponse'> | undefined;
    let ocspResponse: Buffer | null = null;
    let failedAfterHandshake: string | null = null;
    let settled = false;
    const sessions: Buffer[] = [];
    let sessionTimer: NodeJS.Timeout | undefined;
    const wantsSession = (opts.sessionWaitMs ?? 0) > 0;

    // tls.connect passes requestOCSP on to the TLSSocket; @types/node lists it only there.
    const options: ConnectionOptions & Pick<TLSSocketOptions, 'requestOCSP'> = {
      ...(open ? { socket: open } : { host: opts.address, port: opts.port }),
      servername: opts.servername,
      rejectUnauthorized: false,
      secureContext: clientContext(opts.minVersion ?? 'TLSv1', opts.maxVersion ?? 'TLSv1.3', opts.noTicket === true),
      session: opts.session,
      requestOCSP: opts.requestOcsp === true,
    };
    const socket = connect(options);
    // Sent with the server's certificate, so it is here before secureConnect.
    if (opts.requestOcsp) socket.once('OCSPResponse', (response: Buffer | null) => (ocspResponse = response && response.length > 0 ? response : null));

    const timer = setTimeout(() => {
      // The handshake is done and only a ticket is awaited: the handshake still counts.
      if (facts) return finish(`no session ticket within the ${opts.timeoutMs} ms timeout`);
      fail(
        new ConnectError(
          'TIMEOUT',
          tcpConnected ? `no TLS handshake within ${opts.timeoutMs} ms` : `no connection within ${opts.timeoutMs} ms`,
        ),
      );
    }, Math.max(0, opts.timeoutMs - (started - dialStarted)));

    /** The current session straight from OpenSSL, when no event brought one. */
    function takeSession(): void {
      if (sessions.length > 0) return;
      const current = socket.getSession();
      if (current) sessions.push(current);
    }

    function cleanup(): void {
      clearTimeout(timer);
      clearTimeout(sessionTimer);
      socket.removeAllListeners('session');
      // Errors after the outcome (a reset after close_notify) must not surface.
      socket.on('error', () => undefined);
    }

    function fail(err: ConnectError): void {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    }

    function finish(sessionProblem: string | null): void {
      if (settled) return;
      settled = true;
      if (!facts) throw new Error('finish before secureConnect');
      const slimmed = sessions.map(slim);
      const result: Handshake = {
        ...facts,
        session: slimmed[slimmed.length - 1] ?? null,
        sessions: slimmed,
        // Once the socket is destroyed Node answers null, not undefined: that is no ticket.
        hasTicket: Buffer.isBuffer(socket.getTLSTicket()),
        sessionProblem,
        failedAfterHandshake,
        ocspResponse,
      };
      cleanup();
      // close_notify, never a reset: OpenSSL 3 servers drop the sessions of clients that vanish.
      socket.end();
      // Nothing more is read from the connection: once close_notify and the FIN are out it is let
      // go, without hearing the server out (reading its late tickets and its close_notify costs
      // more than the rest of the close). The session stays resumable: the server got close_notify.
      socket.once('finish', () => socket.destroy());
      resolve(result);
    }

    socket.on('connect', () => {
      tcpConnected = true;
    });
    // Without a listener Node does not copy each new session out of OpenSSL.
    if (wantsSession) {
      socket.on('session', (data: Buffer) => {
        sessions.push(data);
        if (facts?.protocol === 'TLSv1.3' && sessionTimer !== undefined) {
          // Servers send their tickets together: give a second one a moment to arrive.
          clearTimeout(sessionTimer);
          sessionTimer = setTimeout(() => finish(null), 2);
        }
      });
    }
    socket.once('secureConnect', () => {
      try {
        const cipher = socket.getCipher();
        facts = {
          protocol: socket.getProtocol() ?? 'unknown',
          cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
          resumed: socket.isSessionReused(),
          chain: opts.collectChain ? presentedChain(socket) : [],
          handshakeMs: Math.round((performance.now() - started) * 10) / 10,
        };
      } catch (err) {
        return fail(new ConnectError('HANDSHAKE_FAILED', `the server's certificate cannot be read: ${describeError(err)}`, { cause: err }));
      }
      if (opts.collectChain && facts.chain.length === 0) {
        return fail(new ConnectError('HANDSHAKE_FAILED', 'the server sent no certificate'));
      }
      opts.onSecure?.(facts.protocol);
      const waitMs = opts.sessionWaitMs ?? 0;
      if (waitMs <= 0) return finish(null);
      if (facts.protocol !== 'TLSv1.3') {
        // TLS 1.2 sessions exist once the handshake ends; Node drops the event over 10 KB.
        takeSession();
        return finish(sessions.length > 0 ? null : 'the server gave no session');
      }
      if (sessions.length > 0) return finish(null);
      // The ticket follows the handshake by about a round trip; do not wait the full time
      // for a server that sends none.
      const waitFor = opts.briefSessionWait
        ? Math.min(waitMs, Math.max(10, facts.handshakeMs))
        : Math.min(waitMs, Math.max(200, 4 * facts.handshakeMs));
      sessionTimer = setTimeout(() => {
        // No event: either no ticket came, or Node dropped a session over 10 KB; ask directly.
        if (socket.getTLSTicket() !== undefined) takeSession();
        finish(sessions.length > 0 ? null : `no TLS 1.3 session ticket within ${Math.round(waitFor)} ms`);
      }, waitFor);
    });
    socket.on('error', (err) => {
      if (settled) return;
      if (facts) {
        // The handshake completed and only a session was awaited: it and its chain still count.
        failedAfterHandshake = `the connection failed after the handshake: ${describeError(err)}`;
        return finish(sessions.length > 0 ? null : failedAfterHandshake);
      }
      if (!tcpConnected) {
        fail(new ConnectError('CONNECTION_FAILED', `connection failed: ${describeError(err)}`, { cause: err }));
      } else {
        fail(new ConnectError('HANDSHAKE_FAILED', `TLS handshake failed: ${describeError(err)}`, { cause: err }));
      }
    });
    socket.on('end', () => {
      if (!facts || settled) return;
      // The server hung up while we waited for a ticket; Node then emits no 'session' event,
      // but the ticket may have arrived with the close: take the session directly.
      if (socket.getTLSTicket() !== undefined) takeSession();
      finish(sessions.length > 0 ? null : 'the server closed the connection without a session ticket');
    });
    socket.on('close', () => {
      if (facts) {
        finish(sessions.length > 0 ? null : 'the server closed the connection without a session ticket');
      } else if (!settled) {
        fail(
          new ConnectError(
            tcpConnected ? 'HANDSHAKE_FAILED' : 'CONNECTION_FAILED',
            tcpConnected ? 'TLS handshake failed: the server closed the connection' : 'connection closed',
          ),
        );
      }
    });
  });
}
