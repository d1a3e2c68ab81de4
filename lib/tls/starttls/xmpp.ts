/**
 * XMPP STARTTLS (RFC 6120 5.4): open a client stream to the target's domain, read the stream
 * features, which must offer `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>`, send
 * `<starttls/>` and expect `<proceed/>`.
 */
import { isIP } from 'node:net';
import { type Conversation, type Framing, refused, unexpected } from './conversation';
import { MalformedXml, NS, readStreamHeader, readTopLevel, type Scope, type XmlElement } from './xml-stream';

/** The stream header as RFC 6120 9.1.1 writes it; `to` is the domain the client wants (an IPv6 literal in brackets, RFC 7622 3.2). */
export function streamHeader(host: string): string {
  const to = isIP(host) === 6 ? `[${host}]` : host;
  return `<?xml version='1.0'?><stream:stream to='${to}' version='1.0' xmlns='jabber:client' xmlns:stream='${NS.streams}'>`;
}

export const STARTTLS = `<starttls xmlns='${NS.tls}'/>`;

/** Framing by the XML: the whole of what `read` finds; bytes that are not this XML are taken whole, to say what came. */
function framing(read: (text: string) => number | null): Framing {
  return (buffered) => {
    try {
      return read(buffered.toString('latin1'));
    } catch (err) {
      if (err instanceof MalformedXml) return buffered.length;
      throw err;
    }
  };
}

type TopLevel = { element: XmlElement | 'closed'; end: number };

function parse<T>(read: () => T | null): T | null {
  try {
    return read();
  } catch (err) {
    if (err instanceof MalformedXml) return null;
    throw err;
  }
}

/** The words of a stream error (RFC 6120 4.9): its condition and its text. */
function streamError(error: XmlElement): string {
  const conditions = error.children.filter((child) => child.ns === NS.streamErrors);
  const condition = conditions.find((child) => child.name !== 'text')?.name ?? 'no condition';
  const text = conditions.find((child) => child.name === 'text')?.text;
  return text ? `${condition}: ${text}` : condition;
}

/** A top-level element that ends the dialogue: the stream's end, or a stream error. */
function refusal(top: TopLevel, raw: Buffer): Error | null {
  if (top.element === 'closed') return refused('the server closed the XMPP stream', raw.toString('utf8'));
  if (top.element.ns === NS.streams && top.element.name === 'error') return refused('the server ended the XMPP stream with an error', streamError(top.element));
  return null;
}

export async function xmpp(talk: Conversation, host: string): Promise<void> {
  talk.write(streamHeader(host));
  const featuresExpected = 'an XMPP stream header and its features (<stream:features>)';
  const opening = await talk.read(
    featuresExpected,
    framing((text) => {
      const header = readStreamHeader(text);
      return header && (readTopLevel(text, header.end, header.scope)?.end ?? null);
    }),
  );
  const text = opening.toString('latin1');
  const parsed = parse(() => {
    const header = readStreamHeader(text);
    const top = header && readTopLevel(text, header.end, header.scope);
    return header && top && { scope: header.scope, headerEnd: header.end, top };
  });
  if (!parsed) throw unexpected(featuresExpected, opening);
  const { scope, headerEnd, top } = parsed;
  const raw = opening.subarray(top.element === 'closed' ? headerEnd : top.element.start);
  const ended = refusal(top, raw);
  if (ended) throw ended;
  const features = top.element as XmlElement;
  if (features.ns !== NS.streams || features.name !== 'features') throw unexpected(featuresExpected, raw);
  if (!features.children.some((child) => child.ns === NS.tls && child.name === 'starttls')) {
    throw refused('the server does not offer STARTTLS (its stream features)', raw.toString('utf8'));
  }

  talk.write(STARTTLS);
  await proceed(talk, scope);
}

async function proceed(talk: Conversation, scope: Scope): Promise<void> {
  const expecting = `<proceed xmlns='${NS.tls}'/>`;
  const answer = await talk.read(expecting, framing((text) => readTopLevel(text, 0, scope)?.end ?? null));
  const top = parse(() => readTopLevel(answer.toString('latin1'), 0, scope));
  if (!top) throw unexpected(expecting, answer);
  const ended = refusal(top, answer);
  if (ended) throw ended;
  const element = top.element as XmlElement;
  if (element.ns === NS.tls && element.name === 'failure') throw refused('the server refused STARTTLS', answer.toString('utf8'));
  if (element.ns !== NS.tls || element.name !== 'proceed') throw unexpected(expecting, answer);
}
