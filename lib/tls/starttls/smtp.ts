/**
 * SMTP STARTTLS (RFC 3207), for smtp:// and submission://: the 220 greeting, EHLO, STARTTLS
 * among the extensions of its 250 answer, then STARTTLS answered 220.
 */
import { isIP } from 'node:net';
import { type Conversation, refused } from './conversation';
import { expectReply } from './reply';

/** EHLO's argument: the client's address as an address literal (RFC 5321 4.1.3), having no name of its own to give. */
function ehloName(localAddress: string | undefined): string {
  if (localAddress === undefined) return '[127.0.0.1]';
  const address = localAddress.replace(/^::ffff:(?=\d+\.)/, '');
  return isIP(address) === 6 ? `[IPv6:${address}]` : `[${address}]`;
}

export async function smtp(talk: Conversation): Promise<void> {
  await expectReply(talk, 'an SMTP greeting (220)', 220, 'the server refused the SMTP session', true);
  talk.send(`EHLO ${ehloName(talk.localAddress)}`);
  const ehlo = await expectReply(talk, 'an answer to EHLO (250)', 250, 'the server refused EHLO', true);
  // The first line is the server's name; each further line starts with an extension's keyword.
  if (!ehlo.lines.slice(1).some((line) => /^STARTTLS(?:\s|$)/i.test(line))) {
    throw refused('the server does not offer STARTTLS (its EHLO answer)', ehlo.text);
  }
  talk.send('STARTTLS');
  await expectReply(talk, 'an answer to STARTTLS (220)', 220, 'the server refused STARTTLS', true);
}
