/** POP3 STLS (RFC 2595 4): the `+OK` greeting, then STLS answered `+OK`. */
import { type Conversation, refused, unexpected } from './conversation';

async function expectOk(talk: Conversation, expecting: string, refusing: string): Promise<void> {
  const line = await talk.readLine(expecting);
  if (/^-ERR(?:\s|$)/i.test(line)) throw refused(refusing, line);
  if (!/^\+OK(?:\s|$)/i.test(line)) throw unexpected(expecting, line);
}

export async function pop3(talk: Conversation): Promise<void> {
  await expectOk(talk, 'a POP3 greeting (+OK)', 'the server refused the POP3 session');
  talk.send('STLS');
  await expectOk(talk, 'an answer to STLS (+OK)', 'the server refused STLS');
}
