/** IMAP STARTTLS (RFC 3501 6.2.1, RFC 9051): the `* OK` greeting, then `a001 STARTTLS` answered `a001 OK`. */
import { type Conversation, refused, unexpected } from './conversation';

const TAG = 'a001';

export async function imap(talk: Conversation): Promise<void> {
  const greetingExpected = 'an IMAP greeting (* OK)';
  const greeting = await talk.readLine(greetingExpected);
  if (/^\* BYE(?:\s|$)/i.test(greeting)) throw refused('the server refused the IMAP session', greeting);
  // A pre-authenticated session is past the state where STARTTLS is allowed.
  if (/^\* PREAUTH(?:\s|$)/i.test(greeting)) throw refused('the server greets with PREAUTH, after which STARTTLS is not allowed', greeting);
  if (!/^\* OK(?:\s|$)/i.test(greeting)) throw unexpected(greetingExpected, greeting);
  talk.send(`${TAG} STARTTLS`);
  const expecting = `an answer to STARTTLS (${TAG} OK)`;
  for (;;) {
    const line = await talk.readLine(expecting);
    // Untagged data (a CAPABILITY the server volunteers) may come before the tagged answer.
    if (line.startsWith('* ')) continue;
    const answer = /^a001 (OK|NO|BAD)(?:\s|$)/i.exec(line);
    if (!answer) throw unexpected(expecting, line);
    if (answer[1].toUpperCase() !== 'OK') throw refused('the server refused STARTTLS', line);
    return;
  }
}
