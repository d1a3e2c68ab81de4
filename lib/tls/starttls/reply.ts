/** Numbered replies, as SMTP (RFC 5321 4.2) and FTP (RFC 959 4.2) write them, one or many lines. */
import { type Conversation, refused, unexpected } from './conversation';

export interface Reply {
  code: number;
  /** The lines as sent, for messages. */
  text: string;
  /** Each line's text after the code, for SMTP's EHLO keywords. */
  lines: string[];
}

const FIRST_LINE = /^(\d{3})(?:([ -])(.*))?$/;

/**
 * Reads one reply. A multi-line reply starts with `ddd-` and ends with `ddd `; SMTP writes the
 * code on every line (`strict`), FTP only on the first and the last.
 */
export async function readReply(talk: Conversation, expecting: string, strict: boolean): Promise<Reply> {
  const first = await talk.readLine(expecting);
  const match = FIRST_LINE.exec(first);
  if (!match) throw unexpected(expecting, first);
  const code = match[1];
  const raw = [first];
  const lines = [match[3] ?? ''];
  let more = match[2] === '-';
  while (more) {
    const line = await talk.readLine(`the rest of a ${code} reply`);
    raw.push(line);
    const next = FIRST_LINE.exec(line);
    if (next && next[1] === code) {
      lines.push(next[3] ?? '');
      more = next[2] === '-';
    } else if (strict) {
      throw unexpected(`the rest of a ${code} reply`, raw.join(' / '));
    } else {
      lines.push(line);
    }
  }
  return { code: Number(code), text: raw.join(' / '), lines };
}

/**
 * Reads a reply and wants `wanted`: a 4xx or 5xx is the server saying no (`refusing` names
 * what it refused), any other code is a server that speaks something else.
 */
export async function expectReply(talk: Conversation, expecting: string, wanted: number, refusing: string, strict: boolean): Promise<Reply> {
  const reply = await readReply(talk, expecting, strict);
  if (reply.code === wanted) return reply;
  if (reply.code >= 400 && reply.code < 600) throw refused(refusing, reply.text);
  throw unexpected(expecting, reply.text);
}
