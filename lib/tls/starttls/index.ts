/**
 * The dialers: a TCP connection brought to where TLS starts. One plaintext dialogue per
 * protocol (a file each), listed here; a target whose scheme has none starts TLS at once.
 */
import { connect, type Socket } from 'node:net';
import { SCHEMES, type Protocol, type StarttlsDialogue } from '../../target';
import { ConnectError, describeError } from '../connect-error';
import { Conversation, type Deadline } from './conversation';
import { ftp } from './ftp';
import { imap } from './imap';
import { ldap } from './ldap';
import { pop3 } from './pop3';
import { postgres } from './postgres';
import { smtp } from './smtp';
import { xmpp } from './xmpp';

/** A protocol's plaintext preamble on an open connection to `host`'s server; resolves when the next byte is TLS. */
export type Preamble = (talk: Conversation, host: string) => Promise<void>;

/** Opens a connection to `address:port` and brings it to the TLS handshake, by the deadline. */
export type Dialer = (address: string, port: number, deadline: Deadline) => Promise<Socket>;

export const PREAMBLES: Record<StarttlsDialogue, Preamble> = { smtp, imap, pop3, ftp, ldap, xmpp, postgres };

/** What each dialogue's last step is called, for a message about what came after it. */
const LAST_STEP: Record<StarttlsDialogue, string> = {
  smtp: 'its answer to STARTTLS',
  imap: 'its answer to STARTTLS',
  pop3: 'its answer to STLS',
  ftp: 'its answer to AUTH TLS',
  ldap: 'its answer to StartTLS',
  xmpp: 'its <proceed/>',
  postgres: "its 'S' to SSLRequest",
};

function openTcp(address: string, port: number, deadline: Deadline): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, signal: deadline.signal });
    const onAbort = () => reject(new ConnectError('TIMEOUT', `no connection within ${deadline.ms} ms`));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      deadline.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.on('error', (err) => {
      deadline.signal.removeEventListener('abort', onAbort);
      reject(new ConnectError('CONNECTION_FAILED', `connection failed: ${describeError(err)}`, { cause: err }));
    });
  });
}

/** The dialer that runs `dialogue` before TLS, for `host` (the name XMPP's stream asks for). */
export function starttlsDialer(dialogue: StarttlsDialogue, host: string): Dialer {
  return async (address, port, deadline) => {
    const socket = await openTcp(address, port, deadline);
    const talk = new Conversation(socket, deadline);
    try {
      await PREAMBLES[dialogue](talk, host);
      return talk.release(LAST_STEP[dialogue]);
    } catch (err) {
      talk.detach();
      socket.on('error', () => undefined);
      socket.destroy();
      throw err;
    }
  };
}

/** The dialer of a target's protocol; undefined where TLS starts at once (implicit TLS). */
export function dialerFor(target: { protocol: Protocol; host: string }): Dialer | undefined {
  const dialogue = SCHEMES[target.protocol].starttls;
  return dialogue === null ? undefined : starttlsDialer(dialogue, target.host);
}
