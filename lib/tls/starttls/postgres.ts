/**
 * PostgreSQL SSLRequest (protocol docs 55.2.10, "SSL Session Encryption"): Int32 8, Int32
 * 80877103; the server answers one byte, `S` to start TLS, `N` to refuse, or an ErrorResponse.
 */
import { type Conversation, type Framing, MAX_PREAMBLE_BYTES, refused, unexpected } from './conversation';

/** Length 8, then the SSLRequest code 1234 << 16 | 5679. */
export const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * The answer: one byte, or an ErrorResponse — `E`, Int32 length, fields each a type byte and a
 * NUL-terminated string, a final NUL (protocol 3) — or, from a server that predates SSL, `E` and
 * one NUL-terminated string (protocol 2).
 */
const answer: Framing = (buffered) => {
  // One byte for S and N; anything else but E is taken whole, to say what came.
  if (buffered[0] !== 0x45) return buffered[0] === 0x53 || buffered[0] === 0x4e ? 1 : buffered.length;
  if (buffered.length < 2) return null;
  // A protocol 3 length starts with a zero byte (nothing this small is longer than 16 MB); text does not.
  if (buffered[1] === 0) {
    if (buffered.length < 5) return null;
    const total = 1 + buffered.readUInt32BE(1);
    if (total > MAX_PREAMBLE_BYTES || total < 5) return buffered.length;
    return buffered.length >= total ? total : null;
  }
  const end = buffered.indexOf(0, 1);
  return end < 0 ? null : end + 1;
};

/** An ErrorResponse's severity, message and SQLSTATE, as `FATAL: message (SQLSTATE 28000)`; or a protocol 2 error's text. */
function errorText(message: Buffer): string {
  if (message[1] !== 0) return message.subarray(1).toString('utf8');
  const fields = new Map<string, string>();
  for (let at = 5; at < message.length && message[at] !== 0; ) {
    const end = message.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(String.fromCharCode(message[at]), message.subarray(at + 1, end).toString('utf8'));
    at = end + 1;
  }
  const severity = fields.get('V') ?? fields.get('S');
  const code = fields.get('C');
  return `${severity ? `${severity}: ` : ''}${fields.get('M') ?? ''}${code ? ` (SQLSTATE ${code})` : ''}`;
}

export async function postgres(talk: Conversation): Promise<void> {
  talk.write(SSL_REQUEST);
  const expecting = "an answer to SSLRequest ('S' or 'N')";
  const message = await talk.read(expecting, answer);
  const first = String.fromCharCode(message[0]);
  if (first === 'S') return;
  if (first === 'N') throw refused('the server does not accept SSL', 'N');
  if (first === 'E' && message.length > 1) throw refused('the server refused SSLRequest', errorText(message));
  throw unexpected(expecting, message);
}
