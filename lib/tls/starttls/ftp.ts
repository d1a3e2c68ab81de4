/** FTP AUTH TLS (RFC 4217): the 220 greeting (after any 1xx "wait"), then AUTH TLS answered 234. */
import { type Conversation, refused, unexpected } from './conversation';
import { expectReply, readReply } from './reply';

export async function ftp(talk: Conversation): Promise<void> {
  const expecting = 'an FTP greeting (220)';
  let greeting = await readReply(talk, expecting, false);
  // 120: "service ready in nnn minutes", followed by the 220 when it is (RFC 959 5.4).
  while (greeting.code >= 100 && greeting.code < 200) greeting = await readReply(talk, expecting, false);
  if (greeting.code >= 400 && greeting.code < 600) throw refused('the server refused the FTP session', greeting.text);
  if (greeting.code !== 220) throw unexpected(expecting, greeting.text);
  talk.send('AUTH TLS');
  await expectReply(talk, 'an answer to AUTH TLS (234)', 234, 'the server refused AUTH TLS', false);
}
